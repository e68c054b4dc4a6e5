"""Inline keyboards: reply_markup validated as Telegram does, and answering button presses."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from bot.sandbox.wire import ApiError, JSONDict, flag, text_value

CALLBACK_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
# What Telegram answers when an edit carries a reply keyboard or a ForceReply.
NOT_INLINE_MARKUP = (
    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
)
BAD_MARKUP = "Bad Request: can't parse reply keyboard markup JSON object"
MAX_PLACEHOLDER_LENGTH = 64  # ForceReply / ReplyKeyboardMarkup input_field_placeholder

_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


@dataclass
class CallbackAnswer:
    """A recorded answerCallbackQuery call."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    time: float


class Keyboards:
    """Mixed into SandboxBotAPI: checks reply_markup and serves answerCallbackQuery."""

    def _init_keyboards(self) -> None:
        """Start with no button pressed and none answered."""
        self.callback_answers: list[CallbackAnswer] = []
        self._callback_counter = itertools.count(1)
        self._pending_callbacks: set[str] = set()

    def _markup(self, params: JSONDict) -> JSONDict | None:
        """Validate the reply_markup parameter."""
        markup = params.get("reply_markup")
        if markup is None or markup == "":
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, BAD_MARKUP)
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
        elif "force_reply" in markup:
            _check_force_reply(markup)
        return markup

    def _edit_markup(self, params: JSONDict) -> JSONDict | None:
        """Validate the reply_markup of an edit: only an inline keyboard can be edited in."""
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, NOT_INLINE_MARKUP)
        return markup

    def _api_answer_callback_query(self, params: JSONDict) -> bool:
        """Serve answerCallbackQuery."""
        query_id = text_value(params, "callback_query_id")
        if not query_id:
            raise ApiError(400, "Bad Request: callback_query_id is empty")
        if query_id not in self._pending_callbacks:
            raise ApiError(400, CALLBACK_INVALID)
        text = text_value(params, "text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=flag(params, "show_alert"),
                url=text_value(params, "url"),
                time=time.monotonic(),
            )
        )
        return True


def callback_datas(markup: Any) -> list[str]:
    """Return every callback_data of an inline keyboard markup."""
    if not isinstance(markup, dict):
        return []
    rows = markup.get("inline_keyboard") or []
    return [
        button["callback_data"]
        for row in rows
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    ]


def _check_force_reply(markup: JSONDict) -> None:
    """Validate a ForceReply object: force_reply is True, the placeholder 1-64 characters."""
    placeholder = markup.get("input_field_placeholder")
    if markup.get("force_reply") is not True or not isinstance(
        markup.get("selective", False), bool
    ):
        raise ApiError(400, BAD_MARKUP)
    if placeholder is not None and (
        not isinstance(placeholder, str) or not 1 <= len(placeholder) <= MAX_PLACEHOLDER_LENGTH
    ):
        raise ApiError(400, BAD_MARKUP)


def _check_inline_button(button: Any) -> None:
    """Validate one inline keyboard button like Telegram does."""
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError(
            400,
            'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String',
        )
    if not button["text"]:
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    actions = [key for key in button if key in _BUTTON_ACTIONS]
    if not actions:
        raise ApiError(
            400,
            "Bad Request: can't parse inline keyboard button: "
            "Text buttons are unallowed in the inline keyboard",
        )
    data = button.get("callback_data")
    if data is not None and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
