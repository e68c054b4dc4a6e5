"""The customer message catalog is complete in every language."""

from __future__ import annotations

import pytest

from crm.i18n import CATALOG, DEFAULT_LANGUAGE, language_for, placeholders, t


@pytest.mark.parametrize("language", sorted(set(CATALOG) - {DEFAULT_LANGUAGE}))
def test_every_language_has_every_key_with_the_same_placeholders(language: str) -> None:
    english, other = CATALOG[DEFAULT_LANGUAGE], CATALOG[language]
    assert set(other) == set(english)
    for key, template in english.items():
        assert placeholders(other[key]) == placeholders(template), key


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "en"),
        ("en-US", "en"),
        ("zh-hans", "zh"),
        ("zh_CN", "zh"),
        ("ZH", "zh"),
        ("de", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_language_code_picks_the_catalog(code: str | None, language: str) -> None:
    assert language_for(code) == language


def test_texts_are_filled_in_the_customers_language() -> None:
    assert t("ack_new", "en", ticket_id=7) == (
        "Thanks! We've opened ticket #7 for you. We'll reply here."
    )
    assert "#7" in t("ack_new", "zh-hans", ticket_id=7)
    assert t("ack_new", "zh-hans", ticket_id=7) != t("ack_new", "en", ticket_id=7)
