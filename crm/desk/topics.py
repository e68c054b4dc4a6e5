"""Ticket topics from a small keyword map the business can edit (TOML)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from crm.errors import InvalidInput

OTHER = "other"

# The built-in map: English and Simplified Chinese cue words per topic. A business replaces
# it with CRM_TOPICS_FILE (same shape: [topics.NAME] keywords = [...]).
DEFAULT_TOPICS_TOML = """
[topics.billing]
keywords = ["invoice", "bill", "billing", "charge", "charged", "refund", "payment", "pay",
            "paid", "price", "overcharged", "receipt", "subscription", "credit card",
            "发票", "退款", "付款", "支付", "扣款", "收费", "价格", "账单"]

[topics.delivery]
keywords = ["delivery", "deliver", "delivered", "shipping", "shipment", "shipped", "parcel",
            "package", "courier", "tracking", "arrive", "arrived", "late", "order",
            "物流", "快递", "发货", "送货", "配送", "包裹", "到货", "订单"]

[topics.technical]
keywords = ["error", "bug", "crash", "crashes", "broken", "not working", "doesn't work",
            "app", "website", "login page", "install", "update", "slow",
            "故障", "错误", "崩溃", "打不开", "无法使用", "闪退", "网站", "应用"]

[topics.account]
keywords = ["account", "password", "login", "log in", "sign in", "signup", "sign up",
            "email address", "username", "profile", "verification", "locked",
            "账户", "账号", "密码", "登录", "注册", "验证"]
"""


@dataclass(frozen=True, slots=True)
class TopicMap:
    """Topic names with the keywords that suggest them, in priority order."""

    keywords: dict[str, tuple[str, ...]]

    @property
    def names(self) -> list[str]:
        """Return every topic a ticket may have, `other` last."""
        return [*self.keywords, OTHER]

    def classify(self, text: str) -> str:
        """Return the topic whose keywords the text mentions most (ties: map order)."""
        lowered = text.lower()
        best, best_hits = OTHER, 0
        for topic, words in self.keywords.items():
            hits = sum(1 for word in words if _mentions(lowered, word))
            if hits > best_hits:
                best, best_hits = topic, hits
        return best

    def check(self, topic: str) -> str:
        """Return the topic normalised, or raise InvalidInput if the map does not have it."""
        name = topic.strip().lower()
        if name not in self.names:
            raise InvalidInput.of(
                "staff.err.unknown_topic", topic=topic, topics=", ".join(self.names)
            )
        return name


def _mentions(text: str, word: str) -> bool:
    if not word.isascii():
        return word in text  # CJK has no spaces between words
    return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text) is not None


def parse_topics(toml_text: str) -> TopicMap:
    """Parse a topics TOML document; raise InvalidInput with a plain reason if malformed."""
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(f"topics file is not valid TOML: {err}") from None
    topics = data.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise InvalidInput("topics file needs at least one [topics.NAME] table")
    keywords: dict[str, tuple[str, ...]] = {}
    for name, table in topics.items():
        words = table.get("keywords") if isinstance(table, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise InvalidInput(f"topics.{name}.keywords must be a list of strings")
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name):
            raise InvalidInput(f"topic name {name!r}: use lower-case letters, digits and _")
        keywords[name] = tuple(w.strip().lower() for w in words if w.strip())
    return TopicMap(keywords=keywords)


@cache
def default_topics() -> TopicMap:
    """Return the built-in topic map (parsed once)."""
    return parse_topics(DEFAULT_TOPICS_TOML)


def load_topics(path: Path | None) -> TopicMap:
    """Return the business's topic map, or the built-in one when no file is configured."""
    if path is None:
        return default_topics()
    return parse_topics(path.read_text(encoding="utf-8"))
