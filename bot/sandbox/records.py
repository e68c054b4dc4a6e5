"""The sandbox's public records: the users it acts as, the calls it received, what the bot sent."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.sandbox.keyboards import callback_datas
from bot.sandbox.wire import JSONDict


@dataclass
class SandboxUser:
    """A Telegram user the sandbox can act as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_dict(self) -> JSONDict:
        """Return the Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JSONDict:
        """Return the Bot API ``Chat`` object of the private chat with this user."""
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass
class ApiCall:
    """One Bot API request received by the sandbox (``status`` is the HTTP status answered)."""

    method: str
    params: JSONDict
    time: float
    status: int = 200
    description: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent successfully; ``message`` is the live Bot API object."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    params: JSONDict = field(repr=False)
    time: float
    message: JSONDict = field(repr=False)
    edits: list[str] = field(default_factory=list)
    file_content: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    deleted: bool = False

    @property
    def thread_id(self) -> int | None:
        """Return the message_thread_id the message went to (None outside threads)."""
        value = self.message.get("message_thread_id")
        return value if isinstance(value, int) else None

    @property
    def plain_text(self) -> str | None:
        """Return the text or caption as rendered by Telegram (HTML tags removed)."""
        value = self.message.get("text", self.message.get("caption"))
        return value if isinstance(value, str) else None

    def button_data(self) -> list[str]:
        """Return the callback_data of every inline button currently on the message."""
        return callback_datas(self.message.get("reply_markup"))
