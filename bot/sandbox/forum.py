"""Forum supergroups: topics (create, edit, close, reopen) and message_thread_id on sends.

A topic's message_thread_id is the id of its forum_topic_created service message; a message in a
topic carries message_thread_id and is_topic_message, and, when it replies to nothing else,
reply_to_message set to that service message, as Telegram answers. The wording of the errors is
TDLib's (ForumTopicManager: "The chat is not a forum", "Not enough rights to create a topic")
and the server's (TOPIC_CLOSED, TOPIC_NOT_MODIFIED), lower-cased by the Bot API.
"""

from __future__ import annotations

from bot.sandbox.members import has_right
from bot.sandbox.messages import without_reply
from bot.sandbox.wire import ApiError, JSONDict, int_param, optional_int, text_value

# The six colours Telegram offers for a topic icon (ForumIconColor); the first is the default.
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME = 128
THREAD_NOT_FOUND = "Bad Request: message thread not found"


class Forum:
    """Mixed into SandboxBotAPI: the forum topic methods and the thread of a send."""

    def _init_forum(self) -> None:
        """Start with no topics anywhere."""
        self._topics: dict[int, dict[int, JSONDict]] = {}

    def topic(self, chat_id: int, thread_id: int) -> JSONDict:
        """Return a topic's state: name, icon_color, icon_custom_emoji_id, closed, creator_id."""
        return dict(self._topics[chat_id][thread_id])

    def _forum_chat(self, params: JSONDict) -> JSONDict:
        chat = self._target_chat(params)
        if not chat.get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        return chat

    def _existing_topic(self, chat: JSONDict, params: JSONDict, what: str) -> JSONDict:
        thread_id = int_param(params, "message_thread_id")
        if thread_id <= 0:
            raise ApiError(400, "Bad Request: invalid message thread identifier specified")
        topic = self._topics.get(chat["id"], {}).get(thread_id)
        if topic is None:
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        bot = self._member_of(chat["id"], self.bot_id)
        if not has_right(bot, "can_manage_topics") and topic["creator_id"] != self.bot_id:
            raise ApiError(400, f"Bad Request: not enough rights to {what}")
        return topic

    def _api_create_forum_topic(self, params: JSONDict) -> JSONDict:
        """Serve createForumTopic: the ForumTopic, and forum_topic_created in the new thread."""
        chat = self._forum_chat(params)
        if not has_right(self._member_of(chat["id"], self.bot_id), "can_manage_topics"):
            raise ApiError(400, "Bad Request: not enough rights to create a topic")
        name = (text_value(params, "name") or "").strip()
        if not name:
            raise ApiError(400, "Bad Request: title must be non-empty")
        name = name[:MAX_TOPIC_NAME]
        color = optional_int(params, "icon_color")
        if color is None:
            color = ICON_COLORS[0]
        elif not 0 <= color <= 0xFFFFFF:
            raise ApiError(400, "Bad Request: invalid icon color specified")
        emoji_id = text_value(params, "icon_custom_emoji_id") or None
        service = self._new_message(chat, self._bot_user)
        created: JSONDict = {"name": name, "icon_color": color}
        if emoji_id:
            created["icon_custom_emoji_id"] = emoji_id
        thread_id = service["message_id"]
        service["message_thread_id"] = thread_id
        service["forum_topic_created"] = created
        service["is_topic_message"] = True
        self._topics.setdefault(chat["id"], {})[thread_id] = {
            **created,
            "closed": False,
            "creator_id": self.bot_id,
        }
        self._record("createForumTopic", params, service, text=None, markup=None)
        return {"message_thread_id": thread_id, **created}

    def _api_edit_forum_topic(self, params: JSONDict) -> bool:
        """Serve editForumTopic (an empty or absent name keeps the name; "" removes the icon)."""
        chat = self._forum_chat(params)
        topic = self._existing_topic(chat, params, "edit the topic")
        edited: JSONDict = {}
        name = (text_value(params, "name") or "").strip()[:MAX_TOPIC_NAME]
        emoji_id = text_value(params, "icon_custom_emoji_id")
        if not name and emoji_id is None:
            return True  # nothing asked: TDLib answers without asking the server
        if name and name != topic["name"]:
            edited["name"] = name
        if emoji_id is not None and emoji_id != topic.get("icon_custom_emoji_id", ""):
            edited["icon_custom_emoji_id"] = emoji_id
        if not edited:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic.update(edited)
        if topic.get("icon_custom_emoji_id") == "":
            del topic["icon_custom_emoji_id"]
        self._topic_service(chat, params, "editForumTopic", {"forum_topic_edited": edited})
        return True

    def _api_close_forum_topic(self, params: JSONDict) -> bool:
        """Serve closeForumTopic."""
        return self._toggle_topic(params, closed=True)

    def _api_reopen_forum_topic(self, params: JSONDict) -> bool:
        """Serve reopenForumTopic."""
        return self._toggle_topic(params, closed=False)

    def _toggle_topic(self, params: JSONDict, *, closed: bool) -> bool:
        chat = self._forum_chat(params)
        topic = self._existing_topic(chat, params, "close or open the topic")
        if topic["closed"] == closed:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        method, key = (
            ("closeForumTopic", "forum_topic_closed")
            if closed
            else ("reopenForumTopic", "forum_topic_reopened")
        )
        self._topic_service(chat, params, method, {key: {}})
        return True

    def _topic_service(
        self, chat: JSONDict, params: JSONDict, method: str, content: JSONDict
    ) -> None:
        """Post a topic service message from the bot in the topic's thread."""
        thread_id = int_param(params, "message_thread_id")
        thread = {"thread_id": thread_id, "is_topic": True}
        service = self._compose(chat, content, None, None, thread)
        self._record(method, params, service, text=None, markup=None)

    def _send_thread(self, chat: JSONDict, params: JSONDict) -> JSONDict | None:
        """Return the topic a send goes to (None: none given, or not a forum) or raise."""
        thread_id = optional_int(params, "message_thread_id")
        if thread_id is None:
            return None
        if not chat.get("is_forum"):
            # Outside forums a thread is a message's reply thread: the message must exist.
            if self._find_message(chat["id"], thread_id) is None:
                raise ApiError(400, THREAD_NOT_FOUND)
            return {"thread_id": thread_id, "is_topic": False}
        topic = self._topics.get(chat["id"], {}).get(thread_id)
        if topic is None:
            raise ApiError(400, THREAD_NOT_FOUND)
        if topic["closed"] and not has_right(
            self._member_of(chat["id"], self.bot_id), "can_manage_topics"
        ):
            raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return {"thread_id": thread_id, "is_topic": True}

    def _place_in_thread(self, message: JSONDict, thread: JSONDict | None) -> None:
        """Give a message its thread fields; a topic message replies to the topic's start."""
        if thread is None:
            return
        thread_id = thread["thread_id"]
        message["message_thread_id"] = thread_id
        if not thread["is_topic"]:
            return
        message["is_topic_message"] = True
        start = self._find_message(message["chat"]["id"], thread_id)
        if "reply_to_message" not in message and start is not None:
            message["reply_to_message"] = without_reply(start)

    def _user_may_post_in(self, chat: JSONDict, user_id: int, thread_id: int) -> None:
        """Check a driver-side message into a topic (closed topics admit only topic managers)."""
        topic = self._topics.get(chat["id"], {}).get(thread_id)
        if topic is None:
            raise ValueError(f"no topic {thread_id} in chat {chat['id']}")
        member = self._members.get(chat["id"], {}).get(user_id)
        if topic["closed"] and not has_right(member, "can_manage_topics"):
            raise ValueError(f"topic {thread_id} is closed")
