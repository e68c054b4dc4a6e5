"""Editing what the bot sent: editMessageText, editMessageCaption, editMessageReplyMarkup."""

from __future__ import annotations

import time
from collections.abc import Iterable

from bot.sandbox.records import SentMessage
from bot.sandbox.wire import ApiError, JSONDict, int_param, text_value

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class Edits:
    """Mixed into SandboxBotAPI: finds the message an edit targets and applies the edit."""

    def _editable(self, params: JSONDict) -> tuple[JSONDict, SentMessage | None]:
        """Return the bot message an edit targets."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = int_param(params, "message_id")
        message = self._find_message(chat["id"], message_id)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message, self._sent_index.get((chat["id"], message_id))

    @staticmethod
    def _inline_markup(markup: JSONDict | None) -> JSONDict | None:
        """Return the markup if it is an inline keyboard."""
        return markup if markup is not None and "inline_keyboard" in markup else None

    def _apply_edit(
        self, message: JSONDict, content: JSONDict, keys: Iterable[str], markup: JSONDict | None
    ) -> None:
        """Replace content keys and the inline keyboard of a message, or raise not modified."""
        keys = tuple(keys)
        inline = self._inline_markup(markup)
        if (
            all(message.get(k) == content.get(k) for k in keys)
            and message.get("reply_markup") == inline
        ):
            raise ApiError(400, NOT_MODIFIED)
        for key in keys:
            if key in content:
                message[key] = content[key]
            else:
                message.pop(key, None)
        if inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline
        message["edit_date"] = int(time.time())

    def _api_edit_message_text(self, params: JSONDict) -> JSONDict:
        """Serve editMessageText."""
        message, sent = self._editable(params)
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        content = self._text_content(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, content, ("text", "entities"), markup)
        if sent is not None:
            new_text = text_value(params, "text") or ""
            sent.edits.append(new_text)
            sent.text = new_text
            sent.parse_mode = text_value(params, "parse_mode")
            sent.reply_markup = markup
        return message

    def _api_edit_message_caption(self, params: JSONDict) -> JSONDict:
        """Serve editMessageCaption."""
        message, sent = self._editable(params)
        if "text" in message:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        content = self._caption_content(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, content, ("caption", "caption_entities"), markup)
        if sent is not None:
            new_caption = text_value(params, "caption") or ""
            sent.edits.append(new_caption)
            sent.text = new_caption or None
            sent.parse_mode = text_value(params, "parse_mode")
            sent.reply_markup = markup
        return message

    def _api_edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """Serve editMessageReplyMarkup."""
        message, sent = self._editable(params)
        markup = self._edit_markup(params)
        self._apply_edit(message, {}, (), markup)
        if sent is not None:
            sent.reply_markup = markup
        return message
