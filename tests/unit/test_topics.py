"""Topics come from an editable keyword map (English and Chinese built in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from crm.desk.topics import default_topics, load_topics, parse_topics
from crm.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I was charged twice, please refund", "billing"),
        ("My parcel has not arrived, tracking says delivered", "delivery"),
        ("The app crashes when I open it", "technical"),
        ("I forgot my password and can't log in", "account"),
        ("我想申请退款", "billing"),
        ("快递到现在还没到", "delivery"),
        ("What are your opening hours?", "other"),
        ("", "other"),
    ],
)
def test_builtin_map_classifies_common_requests(text: str, topic: str) -> None:
    assert default_topics().classify(text) == topic


def test_keywords_match_whole_words_only() -> None:
    topics = parse_topics('[topics.billing]\nkeywords = ["bill"]\n')
    assert topics.classify("my bill is wrong") == "billing"
    assert topics.classify("Billy says hi") == "other"


def test_a_business_file_replaces_the_builtin_map(tmp_path: Path) -> None:
    path = tmp_path / "topics.toml"
    path.write_text('[topics.warranty]\nkeywords = ["warranty", "保修"]\n', encoding="utf-8")
    topics = load_topics(path)
    assert topics.names == ["warranty", "other"]
    assert topics.classify("is this under warranty?") == "warranty"
    assert topics.classify("还在保修期内吗") == "warranty"
    assert topics.check(" Warranty ") == "warranty"
    with pytest.raises(InvalidInput):
        topics.check("billing")
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": "1:abc", "CRM_TOPICS_FILE": str(path)}, env_file=None
    )
    assert settings.topics_file == path


@pytest.mark.parametrize(
    "document",
    [
        "not toml [",
        "[other]\nx = 1\n",
        '[topics.Bad-Name]\nkeywords = ["x"]\n',
        "[topics.billing]\nkeywords = 3\n",
    ],
)
def test_malformed_topic_files_are_refused_with_a_reason(document: str) -> None:
    with pytest.raises(InvalidInput):
        parse_topics(document)


def test_missing_topics_file_is_a_settings_error() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(
            {"TELEGRAM_BOT_TOKEN": "1:abc", "CRM_TOPICS_FILE": "/nope/topics.toml"}, env_file=None
        )
    assert str(err.value).startswith("CRM_TOPICS_FILE")
