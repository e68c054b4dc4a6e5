"""Who is who: the bot itself (getMe), the chats it knows (getChat), its command menus."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.sandbox.wire import ApiError, JSONDict, text_value

_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")


class Chats:
    """Mixed into SandboxBotAPI: serves getMe, getChat and the *MyCommands methods."""

    def _init_chats(self) -> None:
        """Start with no command menu set."""
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Return the bot commands set for a scope and language."""
        return list(self._commands.get(commands_key(scope, language_code), ()))

    def _api_true(self, params: JSONDict) -> bool:
        """Answer True."""
        return True

    def _api_get_me(self, params: JSONDict) -> JSONDict:
        """Serve getMe."""
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _api_set_my_commands(self, params: JSONDict) -> bool:
        """Serve setMyCommands."""
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands is empty")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = commands_key(params.get("scope"), text_value(params, "language_code") or "")
        self._commands[key] = cleaned
        return True

    def _api_get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        """Serve getMyCommands."""
        key = commands_key(params.get("scope"), text_value(params, "language_code") or "")
        return list(self._commands.get(key, ()))

    def _api_delete_my_commands(self, params: JSONDict) -> bool:
        """Serve deleteMyCommands."""
        key = commands_key(params.get("scope"), text_value(params, "language_code") or "")
        self._commands.pop(key, None)
        return True

    def _api_get_chat(self, params: JSONDict) -> JSONDict:
        """Serve getChat with a minimal ChatFullInfo."""
        chat_id = self._chat_param(params)
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        gift_types = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gift_types,
        }


def commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    """Return the storage key of a command list."""
    if not isinstance(scope, dict):
        scope = {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code
