"""The bot's messages: how one is composed and checked, and the send/copy/forward/delete methods."""

from __future__ import annotations

import time

from bot.sandbox.entities import HtmlParseError, parse_html
from bot.sandbox.faults import BLOCKED_DESCRIPTION
from bot.sandbox.files import MEDIA_KINDS, StoredFile
from bot.sandbox.wire import ApiError, JSONDict, as_int, flag, int_param, optional_int, text_value

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

_CONTENT_KEYS = (
    "text",
    "entities",
    "caption",
    "caption_entities",
    "location",
    "contact",
    *MEDIA_KINDS,
)

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class Messages:
    """Mixed into SandboxBotAPI: the building blocks of a bot message and the methods that send."""

    def _new_message(self, chat: JSONDict, sender: JSONDict) -> JSONDict:
        """Create a message with the chat's next message_id."""
        chat_id = chat["id"]
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message: JSONDict = {
            "message_id": message_id,
            "from": sender,
            "chat": chat,
            "date": int(time.time()),
        }
        self._messages.setdefault(chat_id, {})[message_id] = message
        return message

    def _chat_param(self, params: JSONDict, name: str = "chat_id") -> int:
        """Return a chat id parameter or raise Telegram's 400."""
        value = params.get(name)
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: {name} is empty")
        chat_id = as_int(value)
        if chat_id is None:
            if isinstance(value, str) and value.startswith("@"):
                for chat in self._chats.values():
                    if chat.get("type") != "private" and chat.get("username") == value[1:]:
                        return int(chat["id"])
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _target_chat(self, params: JSONDict) -> JSONDict:
        """Return the chat a bot action targets, enforcing existence and blocks."""
        chat_id = self._chat_param(params)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self._blocked:
            raise ApiError(403, BLOCKED_DESCRIPTION)
        self._check_bot_present(chat)
        return chat

    def _find_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """Return a stored message."""
        return self._messages.get(chat_id, {}).get(message_id)

    def _render(
        self, params: JSONDict, name: str, *, entities_name: str, limit: int
    ) -> tuple[str, list[JSONDict]] | None:
        """Validate and render a text/caption parameter into (plain text, entities)."""
        raw = text_value(params, name)
        if raw is None:
            return None
        explicit = params.get(entities_name)
        if isinstance(explicit, list):
            plain, entities = raw, explicit
        else:
            mode = (text_value(params, "parse_mode") or "").lower()
            if mode == "html":
                try:
                    plain, entities = parse_html(raw)
                except HtmlParseError as exc:
                    raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
            elif mode in ("", "markdown", "markdownv2"):
                plain, entities = raw, []
            else:
                raise ApiError(400, "Bad Request: unsupported parse_mode")
        if len(plain) > limit:
            what = "message is too long" if name == "text" else "message caption is too long"
            raise ApiError(400, f"Bad Request: {what}")
        return plain, entities

    def _text_content(self, params: JSONDict) -> JSONDict:
        """Return the content of a text message, validating Telegram's rules."""
        rendered = self._render(params, "text", entities_name="entities", limit=MAX_TEXT_LENGTH)
        if rendered is None or not rendered[0].strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain, entities = rendered
        content: JSONDict = {"text": plain}
        if entities:
            content["entities"] = entities
        return content

    def _caption_content(self, params: JSONDict) -> JSONDict:
        """Return the caption fields of a media message."""
        rendered = self._render(
            params, "caption", entities_name="caption_entities", limit=MAX_CAPTION_LENGTH
        )
        if rendered is None or not rendered[0]:
            return {}
        plain, entities = rendered
        content: JSONDict = {"caption": plain}
        if entities:
            content["caption_entities"] = entities
        return content

    def _reply_to(self, chat_id: int, params: JSONDict) -> JSONDict | None:
        """Resolve reply_parameters / reply_to_message_id into the replied message."""
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            message_id = as_int(reply_parameters.get("message_id"))
            target = as_int(reply_parameters.get("chat_id", chat_id))
            allow = bool(reply_parameters.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = optional_int(params, "reply_to_message_id")
            target = chat_id
            allow = flag(params, "allow_sending_without_reply")
        else:
            return None
        found = None
        if message_id is not None and target is not None:
            found = self._find_message(target, message_id)
        if found is None:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return without_reply(found)

    def _compose(
        self,
        chat: JSONDict,
        content: JSONDict,
        reply: JSONDict | None,
        markup: JSONDict | None,
        thread: JSONDict | None = None,
    ) -> JSONDict:
        """Create a bot message in `chat` (in a thread, see Forum._send_thread) with the content."""
        message = self._new_message(chat, self._bot_user)
        message.update(content)
        if reply is not None:
            message["reply_to_message"] = reply
        self._place_in_thread(message, thread)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _api_send_message(self, params: JSONDict) -> JSONDict:
        """Serve sendMessage."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        content = self._text_content(params)
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, content, reply, markup, thread)
        self._record("sendMessage", params, message, text=text_value(params, "text"), markup=markup)
        return message

    def _api_send_media(self, method: str, kind: str, params: JSONDict) -> JSONDict:
        """Serve sendPhoto / sendDocument / sendVoice / sendSticker / sendVideo / sendAudio."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        caption = {} if kind == "sticker" else self._caption_content(params)
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        stored = self._resolve_file(params, params.get(kind), kind, kind)
        overrides: JSONDict = {}
        if kind in ("voice", "audio", "video") and optional_int(params, "duration") is not None:
            overrides["duration"] = optional_int(params, "duration")
        if kind == "sticker" and text_value(params, "emoji"):
            overrides["emoji"] = text_value(params, "emoji")
        self._admit(chat["id"])
        content = {kind: self._media_object(stored, overrides), **caption}
        message = self._compose(chat, content, reply, markup, thread)
        self._record(
            method,
            params,
            message,
            text=text_value(params, "caption"),
            markup=markup,
            stored=stored,
        )
        return message

    def _api_send_location(self, params: JSONDict) -> JSONDict:
        """Serve sendLocation."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        try:
            location = {
                "latitude": float(params["latitude"]),
                "longitude": float(params["longitude"]),
            }
        except (KeyError, TypeError, ValueError):
            raise ApiError(400, "Bad Request: wrong latitude or longitude specified") from None
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, {"location": location}, reply, markup, thread)
        self._record("sendLocation", params, message, text=None, markup=markup)
        return message

    def _api_send_contact(self, params: JSONDict) -> JSONDict:
        """Serve sendContact."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        phone = text_value(params, "phone_number")
        first_name = text_value(params, "first_name")
        if not phone:
            raise ApiError(400, "Bad Request: phone_number is empty")
        if not first_name:
            raise ApiError(400, "Bad Request: first_name is empty")
        contact: JSONDict = {"phone_number": phone, "first_name": first_name}
        if params.get("last_name"):
            contact["last_name"] = text_value(params, "last_name")
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, {"contact": contact}, reply, markup, thread)
        self._record("sendContact", params, message, text=None, markup=markup)
        return message

    def _api_send_media_group(self, params: JSONDict) -> list[JSONDict]:
        """Serve sendMediaGroup."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media must include 2-10 items")
        reply = self._reply_to(chat["id"], params)
        prepared: list[tuple[StoredFile, JSONDict, str | None]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in (
                "photo",
                "document",
                "video",
                "audio",
            ):
                raise ApiError(400, "Bad Request: unsupported media type in the media group")
            kind = item["type"]
            stored = self._resolve_file(params, item.get("media"), kind, "media")
            caption = self._caption_content(item)
            prepared.append((stored, caption, text_value(item, "caption")))
        self._admit(chat["id"])
        group_id = str(10_000_000 + next(self._media_group_counter))
        messages = []
        for stored, caption, raw_caption in prepared:
            content = {
                stored.kind: self._media_object(stored),
                "media_group_id": group_id,
                **caption,
            }
            message = self._compose(chat, content, reply, None, thread)
            self._record(
                "sendMediaGroup", params, message, text=raw_caption, markup=None, stored=stored
            )
            messages.append(message)
        return messages

    def _api_send_chat_action(self, params: JSONDict) -> bool:
        """Serve sendChatAction."""
        self._send_thread(self._target_chat(params), params)
        if text_value(params, "action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _source_message(self, params: JSONDict, what: str) -> JSONDict:
        """Return the message referenced by from_chat_id/message_id."""
        from_chat_id = self._chat_param(params, "from_chat_id")
        message_id = int_param(params, "message_id")
        if from_chat_id not in self._chats:
            raise ApiError(400, "Bad Request: chat not found")
        source = self._find_message(from_chat_id, message_id)
        if source is None:
            raise ApiError(400, f"Bad Request: message to {what} not found")
        return source

    def _api_copy_message(self, params: JSONDict) -> JSONDict:
        """Serve copyMessage."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        source = self._source_message(params, "copy")
        content = {k: source[k] for k in _CONTENT_KEYS if k in source}
        if "caption" in params and "text" not in content:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption_content(params))
        reply = self._reply_to(chat["id"], params)
        markup = self._markup(params)
        self._admit(chat["id"])
        message = self._compose(chat, content, reply, markup, thread)
        text = text_value(params, "caption") or content.get("text", content.get("caption"))
        self._record(
            "copyMessage",
            params,
            message,
            text=text,
            markup=markup,
            stored=self._stored_of(message),
        )
        return {"message_id": message["message_id"]}

    def _api_forward_message(self, params: JSONDict) -> JSONDict:
        """Serve forwardMessage."""
        chat = self._target_chat(params)
        thread = self._send_thread(chat, params)
        source = self._source_message(params, "forward")
        content = {k: source[k] for k in _CONTENT_KEYS if k in source}
        origin = source.get("forward_origin") or {
            "type": "user",
            "sender_user": source.get("from", self._bot_user),
            "date": source["date"],
        }
        self._admit(chat["id"])
        message = self._compose(chat, {**content, "forward_origin": origin}, None, None, thread)
        self._record(
            "forwardMessage",
            params,
            message,
            text=content.get("text", content.get("caption")),
            markup=None,
            stored=self._stored_of(message),
        )
        return message

    def _api_delete_message(self, params: JSONDict) -> bool:
        """Serve deleteMessage."""
        chat_id = self._chat_param(params)
        message_id = int_param(params, "message_id")
        messages = self._messages.get(chat_id, {})
        if messages.pop(message_id, None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        sent = self._sent_index.get((chat_id, message_id))
        if sent is not None:
            sent.deleted = True
        return True


def without_reply(message: JSONDict) -> JSONDict:
    """Return a copy of a message without its own reply_to_message (Telegram nests one level)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}
