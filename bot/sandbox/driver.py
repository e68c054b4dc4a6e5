"""Acting as users: what tests and the demo call to make people write, edit and press buttons."""

from __future__ import annotations

import time

from bot.sandbox.entities import bot_command_entities
from bot.sandbox.files import SAMPLE_OGG, SAMPLE_PNG, SAMPLE_WEBP, StoredFile
from bot.sandbox.keyboards import callback_datas
from bot.sandbox.messages import without_reply
from bot.sandbox.records import SandboxUser, SentMessage
from bot.sandbox.wire import JSONDict


class Driver:
    """Mixed into SandboxBotAPI: registers users and groups and enqueues what they do."""

    def user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SandboxUser:
        """Register (or update) a user and the private chat with them."""
        if user_id <= 0:
            raise ValueError("user ids must be positive")
        user = SandboxUser(user_id, first_name, last_name, username, language_code)
        self._users[user_id] = user
        self._chats[user_id] = user.chat_dict()
        return user

    def group(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "group",
        username: str | None = None,
        is_forum: bool = False,
    ) -> JSONDict:
        """Register (or update) a group chat the bot is a member of (a forum: topics on)."""
        if chat_id >= 0:
            raise ValueError("group chat ids must be negative")
        if chat_type not in ("group", "supergroup", "channel"):
            raise ValueError(f"unsupported chat type {chat_type!r}")
        if is_forum and chat_type != "supergroup":
            raise ValueError("only a supergroup can be a forum")
        chat: JSONDict = {"id": chat_id, "type": chat_type, "title": title}
        if username is not None:
            chat["username"] = username
        if is_forum:
            chat["is_forum"] = True  # Telegram leaves the field out when False
        self._chats[chat_id] = chat
        return chat

    def send_text(
        self,
        user: SandboxUser,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to_message_id: int | None = None,
        forward_from: SandboxUser | None = None,
        thread_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a text message from `user` (in forum topic `thread_id`) and return it."""
        if not text.strip():
            raise ValueError("Telegram clients cannot send empty messages")
        chat = self._user_chat(user, chat_id, chat_type)
        if thread_id is not None:
            if not chat.get("is_forum"):
                raise ValueError(f"chat {chat['id']} is not a forum")
            self._user_may_post_in(chat, user.id, thread_id)
        message = self._user_message(user, chat, reply_to_message_id)
        if thread_id is not None:
            self._place_in_thread(message, {"thread_id": thread_id, "is_topic": True})
        message["text"] = text
        entities = bot_command_entities(text)
        if entities:
            message["entities"] = entities
        if forward_from is not None:
            message["forward_origin"] = {
                "type": "user",
                "sender_user": forward_from.to_dict(),
                "date": message["date"],
            }
        return self._post_message(message)

    def send_photo(
        self,
        user: SandboxUser,
        *,
        caption: str | None = None,
        content: bytes = SAMPLE_PNG,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a photo message from `user`."""
        mime = "image/png" if content.startswith(b"\x89PNG") else "image/jpeg"
        stored = self._store_file("photo", content, file_name=None, mime_type=mime)
        return self._user_media(user, stored, caption, chat_id, reply_to_message_id)

    def send_document(
        self,
        user: SandboxUser,
        *,
        file_name: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a document message from `user`."""
        stored = self._store_file("document", content, file_name=file_name, mime_type=mime_type)
        return self._user_media(user, stored, caption, chat_id, reply_to_message_id)

    def send_voice(
        self,
        user: SandboxUser,
        *,
        content: bytes = SAMPLE_OGG,
        duration: int = 2,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a voice message from `user`."""
        stored = self._store_file(
            "voice", content, file_name=None, mime_type="audio/ogg", meta={"duration": duration}
        )
        return self._user_media(user, stored, caption, chat_id, None)

    def send_sticker(
        self, user: SandboxUser, *, emoji: str = "👍", chat_id: int | None = None
    ) -> JSONDict:
        """Enqueue a sticker message from `user`."""
        stored = self._store_file(
            "sticker", SAMPLE_WEBP, file_name=None, mime_type="image/webp", meta={"emoji": emoji}
        )
        return self._user_media(user, stored, None, chat_id, None)

    def send_location(
        self, user: SandboxUser, *, latitude: float, longitude: float, chat_id: int | None = None
    ) -> JSONDict:
        """Enqueue a location message from `user`."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, None)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return self._post_message(message)

    def send_contact(
        self,
        user: SandboxUser,
        *,
        phone_number: str,
        first_name: str,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """Enqueue a contact message from `user`."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, None)
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name}
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        message["contact"] = contact
        return self._post_message(message)

    def edit_text(
        self, user: SandboxUser, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """Edit a text message `user` sent earlier and enqueue an ``edited_message`` update."""
        target_chat = user.id if chat_id is None else chat_id
        message = self._messages.get(target_chat, {}).get(message_id)
        if message is None:
            raise ValueError(f"message {message_id} not found in chat {target_chat}")
        if message.get("from", {}).get("id") != user.id or "text" not in message:
            raise ValueError(f"message {message_id} is not a text message sent by {user.id}")
        message["text"] = new_text
        entities = bot_command_entities(new_text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        message["edit_date"] = int(time.time())
        self.post_update({"edited_message": dict(message)})
        return message

    def press_button(
        self,
        user: SandboxUser,
        message: JSONDict | SentMessage,
        data: str,
        *,
        strict: bool = True,
    ) -> str:
        """Enqueue a ``callback_query`` for an inline button and return the query id.

        With `strict`, `data` must be the callback_data of a button currently on the message.
        """
        raw = message.message if isinstance(message, SentMessage) else message
        chat_id = raw["chat"]["id"]
        current = self._messages.get(chat_id, {}).get(raw["message_id"])
        if current is None:
            raise ValueError(f"message {raw['message_id']} no longer exists in chat {chat_id}")
        if strict and data not in callback_datas(current.get("reply_markup")):
            raise ValueError(
                f"message {raw['message_id']} has no inline button with callback_data {data!r}; "
                f"buttons: {callback_datas(current.get('reply_markup'))}"
            )
        query_id = str(4_000_000_000 + next(self._callback_counter))
        self._pending_callbacks.add(query_id)
        self.post_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": dict(current),
                    "chat_instance": str(abs(chat_id) * 31 + 7),
                    "data": data,
                }
            }
        )
        return query_id

    def _user_chat(self, user: SandboxUser, chat_id: int | None, chat_type: str) -> JSONDict:
        """Return the chat a user action happens in, registering it if needed."""
        if user.id not in self._users:
            self.user(
                user.id,
                user.first_name,
                last_name=user.last_name,
                username=user.username,
                language_code=user.language_code,
            )
        if chat_id is None or chat_id == user.id:
            if chat_type != "private":
                raise ValueError("group messages need a negative chat_id")
            return self._chats[user.id]
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                chat_type = "group"
            chat = self.group(chat_id, f"Sandbox {chat_type} {chat_id}", chat_type=chat_type)
        return chat

    def _user_message(
        self, user: SandboxUser, chat: JSONDict, reply_to_message_id: int | None
    ) -> JSONDict:
        """Create a message dict from a user (not yet stored)."""
        reply = None
        if reply_to_message_id is not None:
            reply = self._messages.get(chat["id"], {}).get(reply_to_message_id)
            if reply is None:
                raise ValueError(f"message {reply_to_message_id} not found in chat {chat['id']}")
        message = self._new_message(chat, user.to_dict())
        if reply is not None:
            message["reply_to_message"] = without_reply(reply)
        return message

    def _user_media(
        self,
        user: SandboxUser,
        stored: StoredFile,
        caption: str | None,
        chat_id: int | None,
        reply_to_message_id: int | None,
    ) -> JSONDict:
        """Enqueue a media message from a user."""
        chat = self._user_chat(user, chat_id, "private" if chat_id is None else "group")
        message = self._user_message(user, chat, reply_to_message_id)
        message[stored.kind] = self._media_object(stored)
        if caption:
            message["caption"] = caption
            entities = bot_command_entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self._post_message(message)

    def _post_message(self, message: JSONDict) -> JSONDict:
        """Store a user message and enqueue it as an update."""
        self.post_update({"message": dict(message)})
        return message

    def _absorb(self, message: JSONDict) -> None:
        """Remember a message (and its chat) that arrives in an update."""
        chat = message.get("chat")
        message_id = message.get("message_id")
        if not isinstance(chat, dict) or not isinstance(message_id, int):
            return
        chat_id = chat["id"]
        self._chats.setdefault(chat_id, chat)
        stored = self._messages.setdefault(chat_id, {})
        if message_id in stored:
            stored[message_id].update(message)
        else:
            stored[message_id] = dict(message)
        if message_id > self._last_message_id.get(chat_id, 0):
            self._last_message_id[chat_id] = message_id
