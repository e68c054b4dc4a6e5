"""Unpack Telegram objects into the CRM's Telegram-free inputs."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update, User
from telegram.ext import filters

from crm.customers.profiles import CustomerProfile
from crm.desk import tickets
from crm.models import MediaType

# New messages in private chats (commands must not fire again on edits).
NEW_PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
_MESSAGE_KINDS = ("text", "photo", "document", "voice", "sticker", "location", "contact")


def profile_of(user: User) -> CustomerProfile:
    """Return the CRM profile of a Telegram user."""
    return CustomerProfile(
        telegram_id=user.id,
        first_name=user.first_name or "",
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def inbound_of(message: Message, *, text: str | None = None) -> tickets.InboundMessage:
    """Return the CRM view of a Telegram message: identity, text or caption, media."""
    media_type, file_id = media_of(message)
    if text is None:
        text = message.text or message.caption or ""
        if message.sticker is not None:
            text = text or (message.sticker.emoji or "")
        elif message.location is not None:
            text = f"📍 {message.location.latitude:.6f}, {message.location.longitude:.6f}"
        elif message.contact is not None:
            contact = message.contact
            name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
            text = f"☎ {name} {contact.phone_number}".strip()
    replied = message.reply_to_message
    return tickets.InboundMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        text=text,
        media_type=media_type,
        file_id=file_id,
        reply_to_message_id=replied.message_id if replied is not None else None,
    )


def media_of(message: Message) -> tuple[MediaType | None, str | None]:
    """Return the media type and Telegram file_id a message carries, if any."""
    if message.photo:
        return MediaType.PHOTO, message.photo[-1].file_id  # the largest size
    # Animation before document: Telegram sends GIFs with both set.
    for media_type, attachment in (
        (MediaType.ANIMATION, message.animation),
        (MediaType.DOCUMENT, message.document),
        (MediaType.VOICE, message.voice),
        (MediaType.AUDIO, message.audio),
        (MediaType.VIDEO, message.video),
        (MediaType.VIDEO_NOTE, message.video_note),
        (MediaType.STICKER, message.sticker),
    ):
        if attachment is not None:
            return media_type, attachment.file_id
    return None, None


def command_argument(message: Message) -> str:
    """Return the text after the leading /command, newlines kept."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities
    for entity in entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            # Offsets are UTF-16 code units; a command is ASCII so they match str indices.
            return text[entity.length :].strip()
    return text.partition(" ")[2].strip()


def starts_with_command(message: Message) -> bool:
    entities = message.entities or message.caption_entities
    return any(e.type == MessageEntity.BOT_COMMAND and e.offset == 0 for e in entities)


def text_after(message: Message, words: int) -> str:
    """Return the message text after the command and `words` arguments, newlines kept."""
    parts = (message.text or "").split(maxsplit=words + 1)
    return parts[words + 1].strip() if len(parts) > words + 1 else ""


def route_of(update: Update) -> str:
    """Name what an update asks for: a command, a button family, or a message kind."""
    if update.callback_query is not None:
        data = update.callback_query.data or ""
        return f"button:{data.split(':', 1)[0]}"
    message = update.effective_message
    if update.edited_message is not None:
        return "edited_message"
    if message is None:
        return next((k for k, v in update.to_dict().items() if k != "update_id" and v), "other")
    if message.text and message.text.startswith("/"):
        return "command:" + message.text.split()[0].split("@", 1)[0][:32]
    for kind in _MESSAGE_KINDS:
        if getattr(message, kind, None):
            return f"message:{kind}"
    return "message:other"
