"""Who is in a group and with which rights: ChatMember objects, getChatMember, pins, updates.

The shapes follow the Bot API's ChatMember types (status ``creator``, ``administrator``,
``member``, ``restricted``, ``left``, ``kicked``) with every field python-telegram-bot requires.
A chat's members are only what the driver registered; the bot counts as a plain member of a
group until told otherwise, so groups set up before this module behave as they always did.
"""

from __future__ import annotations

import time
from typing import Any

from bot.sandbox.messages import without_reply
from bot.sandbox.records import SandboxUser
from bot.sandbox.wire import ApiError, JSONDict, flag, int_param, optional_int

STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
# Every administrator right PTB's ChatMemberAdministrator requires (all False unless granted).
ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
GROUP_ADMIN_RIGHTS = ("can_pin_messages",)  # not in channels
SUPERGROUP_ADMIN_RIGHTS = ("can_manage_topics",)  # supergroups only
CHANNEL_ADMIN_RIGHTS = ("can_post_messages", "can_edit_messages")
RESTRICTED_RIGHTS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)
PIN_RIGHTS = "Bad Request: not enough rights to manage pinned messages in the chat"


def member_dict(
    user: JSONDict, status: str, chat_type: str, rights: dict[str, Any] | None = None
) -> JSONDict:
    """Build a Bot API ChatMember of `status` for `user` in a chat of `chat_type`."""
    if status not in STATUSES:
        raise ValueError(f"unknown chat member status {status!r}; one of {STATUSES}")
    rights = dict(rights or {})
    member: JSONDict = {"user": user, "status": status}
    if status == "creator":
        member["is_anonymous"] = bool(rights.pop("is_anonymous", False))
        allowed: tuple[str, ...] = ("custom_title",)
    elif status == "administrator":
        names = ADMIN_RIGHTS + (
            CHANNEL_ADMIN_RIGHTS if chat_type == "channel" else GROUP_ADMIN_RIGHTS
        )
        if chat_type == "supergroup":
            names += SUPERGROUP_ADMIN_RIGHTS
        member["can_be_edited"] = bool(rights.pop("can_be_edited", False))
        member["is_anonymous"] = bool(rights.pop("is_anonymous", False))
        for name in names:
            member[name] = bool(rights.pop(name, False))
        allowed = ("custom_title",)
    elif status == "restricted":
        member["is_member"] = bool(rights.pop("is_member", True))
        for name in RESTRICTED_RIGHTS:
            member[name] = bool(rights.pop(name, False))
        member["until_date"] = int(rights.pop("until_date", 0))
        allowed = ()
    elif status == "kicked":
        member["until_date"] = int(rights.pop("until_date", 0))
        allowed = ()
    elif status == "member":
        allowed = ("until_date",)
    else:
        allowed = ()
    for name in allowed:
        if rights.get(name) is not None:
            member[name] = rights.pop(name)
    unknown = sorted(k for k, v in rights.items() if v is not None)
    if unknown:
        raise ValueError(f"{unknown} do not apply to a {status} in a {chat_type}")
    return member


def is_admin(member: JSONDict | None) -> bool:
    """Tell whether a ChatMember is the creator or an administrator."""
    return member is not None and member["status"] in ("creator", "administrator")


def has_right(member: JSONDict | None, right: str) -> bool:
    """Tell whether a ChatMember holds an administrator right (the creator holds them all)."""
    if member is None:
        return False
    return member["status"] == "creator" or (
        member["status"] == "administrator" and bool(member.get(right))
    )


class Members:
    """Mixed into SandboxBotAPI: members and rights, getChatMember(s), pins, member updates."""

    def _init_members(self) -> None:
        """Start with nobody registered in any group."""
        self._members: dict[int, dict[int, JSONDict]] = {}
        self._pinned: dict[int, list[int]] = {}
        self._reactions: dict[tuple[int, int, int], list[JSONDict]] = {}

    # ------------------------------------------------------------------ driver side

    def add_member(
        self, chat_id: int, user: SandboxUser, status: str = "member", **rights: Any
    ) -> JSONDict:
        """Register `user` in group `chat_id` with a status and rights; return the ChatMember."""
        if user.id not in self._users:
            self.user(user.id, user.first_name, last_name=user.last_name, username=user.username)
        return self._set_member(chat_id, user.to_dict(), status, rights)

    def set_bot_member(
        self,
        chat_id: int,
        status: str = "administrator",
        *,
        by: SandboxUser | None = None,
        **rights: Any,
    ) -> JSONDict:
        """Set the bot's own status in a group; with `by`, also post the my_chat_member update.

        `by` is who promoted, demoted or removed the bot (ChatMemberUpdated.from).
        """
        old = self._member_of(chat_id, self.bot_id)
        new = self._set_member(chat_id, self._bot_user, status, rights)
        if by is not None:
            self.post_update(
                {
                    "my_chat_member": {
                        "chat": self._chats[chat_id],
                        "from": by.to_dict(),
                        "date": int(time.time()),
                        "old_chat_member": old,
                        "new_chat_member": new,
                    }
                }
            )
        return new

    def react(
        self, user: SandboxUser, chat_id: int, message_id: int, emojis: list[str]
    ) -> JSONDict | None:
        """Set `user`'s reaction on a message and post the ``message_reaction`` update.

        Returns the update's MessageReactionUpdated, or None when Telegram would not tell the bot
        (in a group the bot must be an administrator).
        """
        chat = self._chats.get(chat_id)
        if chat is None or self._find_message(chat_id, message_id) is None:
            raise ValueError(f"message {message_id} not found in chat {chat_id}")
        key = (chat_id, message_id, user.id)
        old = self._reactions.get(key, [])
        new = [{"type": "emoji", "emoji": emoji} for emoji in emojis]
        self._reactions[key] = new
        if chat["type"] != "private" and not is_admin(self._member_of(chat_id, self.bot_id)):
            return None
        reaction = {
            "chat": chat,
            "message_id": message_id,
            "user": user.to_dict(),
            "date": int(time.time()),
            "old_reaction": old,
            "new_reaction": new,
        }
        self.post_update({"message_reaction": reaction})
        return reaction

    def _set_member(
        self, chat_id: int, user: JSONDict, status: str, rights: dict[str, Any]
    ) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None or chat["type"] == "private":
            raise ValueError(f"chat {chat_id} is not a registered group")
        member = member_dict(user, status, chat["type"], rights)
        self._members.setdefault(chat_id, {})[user["id"]] = member
        return member

    def _member_of(self, chat_id: int, user_id: int) -> JSONDict:
        """Return a user's ChatMember in a chat (the bot is a plain member unless registered)."""
        member = self._members.get(chat_id, {}).get(user_id)
        if member is not None:
            return member
        chat = self._chats[chat_id]
        if user_id == self.bot_id:
            return member_dict(self._bot_user, "member", chat["type"])
        if chat["type"] == "private" and user_id == chat_id:
            return member_dict(self._users[user_id].to_dict(), "member", "private")
        user = self._users.get(user_id)
        if user is None:
            raise ApiError(400, "Bad Request: user not found")
        return member_dict(user.to_dict(), "left", chat["type"])

    def _bot_member(self, chat_id: int) -> JSONDict | None:
        """Return the bot's registered ChatMember in a chat, if the driver set one."""
        return self._members.get(chat_id, {}).get(self.bot_id)

    def _check_bot_present(self, chat: JSONDict) -> None:
        """Refuse a send where the driver removed the bot, with Telegram's 403."""
        member = self._bot_member(chat["id"])
        if member is None or chat["type"] == "private":
            return
        kind = "supergroup chat" if chat["type"] == "supergroup" else f"{chat['type']} chat"
        if member["status"] == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if member["status"] == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    # ------------------------------------------------------------------ Bot API methods

    def _api_get_chat_member(self, params: JSONDict) -> JSONDict:
        """Serve getChatMember."""
        chat = self._known_chat(params)
        return self._member_of(chat["id"], int_param(params, "user_id"))

    def _api_get_chat_administrators(self, params: JSONDict) -> list[JSONDict]:
        """Serve getChatAdministrators (other bots only with return_bots)."""
        chat = self._known_chat(params)
        if chat["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return_bots = flag(params, "return_bots")
        return [
            member
            for user_id, member in self._members.get(chat["id"], {}).items()
            if is_admin(member)
            and (user_id == self.bot_id or return_bots or not member["user"]["is_bot"])
        ]

    def _api_pin_chat_message(self, params: JSONDict) -> bool:
        """Serve pinChatMessage: rights, the pinned list and the pinned_message service message."""
        chat = self._target_chat(params)
        self._require_pin_rights(chat)
        message_id = int_param(params, "message_id")
        message = self._find_message(chat["id"], message_id)
        if message is None:
            raise ApiError(400, "Bad Request: message to pin not found")
        pinned = self._pinned.setdefault(chat["id"], [])
        if message_id in pinned:
            pinned.remove(message_id)
        pinned.append(message_id)
        if chat["type"] != "channel":
            service = self._new_message(chat, self._bot_user)
            service["pinned_message"] = without_reply(message)
            for key in ("message_thread_id", "is_topic_message"):
                if key in message:
                    service[key] = message[key]
            self._record("pinChatMessage", params, service, text=None, markup=None)
        return True

    def _api_unpin_chat_message(self, params: JSONDict) -> bool:
        """Serve unpinChatMessage (without message_id: the most recently pinned one)."""
        chat = self._target_chat(params)
        self._require_pin_rights(chat)
        pinned = self._pinned.setdefault(chat["id"], [])
        message_id = optional_int(params, "message_id")
        if message_id is None:
            if pinned:
                pinned.pop()
            return True
        if self._find_message(chat["id"], message_id) is None:
            raise ApiError(400, "Bad Request: message to unpin not found")
        if message_id in pinned:
            pinned.remove(message_id)
        return True

    def pinned_messages(self, chat_id: int) -> list[int]:
        """Return the ids of a chat's pinned messages, oldest pin first."""
        return list(self._pinned.get(chat_id, ()))

    def _require_pin_rights(self, chat: JSONDict) -> None:
        if chat["type"] == "private":
            return
        right = "can_edit_messages" if chat["type"] == "channel" else "can_pin_messages"
        if not has_right(self._member_of(chat["id"], self.bot_id), right):
            raise ApiError(400, PIN_RIGHTS)

    def _known_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chats.get(self._chat_param(params))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat
