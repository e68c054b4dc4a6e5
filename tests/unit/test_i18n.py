"""The message catalog (customers' and staff's texts) is complete in every language."""

from __future__ import annotations

from types import ModuleType

import pytest

from crm.errors import InvalidInput
from crm.i18n import CATALOG, DEFAULT_LANGUAGE, Phrase, language_for, placeholders, t
from crm.i18n.staff import merge_areas
from crm.models import MediaType, Priority, Role, TicketKind, TicketStatus
from crm.sentiment import SentimentLabel


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


# --- staff texts ------------------------------------------------------------------------------

# Staff texts that read the same in every language (markup and numbers around names only).
LANGUAGE_NEUTRAL = {"staff.flood.head", "staff.flood.head_ticket"}


def test_the_catalog_holds_the_staff_texts_in_every_language() -> None:
    staff_keys = {key for key in CATALOG[DEFAULT_LANGUAGE] if key.startswith("staff.")}
    assert len(staff_keys) > 100
    for language in CATALOG:
        assert staff_keys <= set(CATALOG[language]), language


@pytest.mark.parametrize("language", sorted(set(CATALOG) - {DEFAULT_LANGUAGE}))
def test_staff_texts_are_translated(language: str) -> None:
    same = {
        key
        for key, text in CATALOG[DEFAULT_LANGUAGE].items()
        if key.startswith("staff.") and CATALOG[language][key] == text
    }
    # Values named by the code (usage lines, enum values...) need their own entry each way.
    assert same == LANGUAGE_NEUTRAL


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("staff.kind", [k.value for k in TicketKind]),
        ("staff.priority", [p.name.lower() for p in Priority]),
        ("staff.status", [s.value for s in TicketStatus]),
        ("staff.media", [m.value for m in MediaType]),
        ("staff.role", [r.value for r in Role]),
        ("staff.mood", [label.value for label in SentimentLabel]),
        ("staff.mood", ["improving", "worsening", "steady"]),
        ("staff.language.name", sorted(CATALOG)),
    ],
)
def test_every_value_the_code_names_has_a_staff_text(prefix: str, values: list[str]) -> None:
    for value in values:
        assert f"{prefix}.{value}" in CATALOG[DEFAULT_LANGUAGE], value


def test_two_staff_areas_may_not_define_the_same_key() -> None:
    first, second = ModuleType("crm.i18n.staff.first"), ModuleType("crm.i18n.staff.second")
    first.PAIRS = {"staff.x": ("x", "x"), "staff.y": ("y", "y")}
    second.PAIRS = {"staff.x": ("shadow", "shadow")}
    assert merge_areas([first]) == first.PAIRS
    with pytest.raises(ValueError, match=r"'staff\.x' is defined in both .*first and .*second"):
        merge_areas([first, second])


def test_a_phrase_renders_its_phrases_in_the_readers_language() -> None:
    phrase = Phrase("staff.err.usage", usage=Phrase("staff.usage.take"))
    assert phrase.render("en") == "usage: /take <id>"
    assert phrase.render("zh-hans") == "用法：/take <工单号>"


def test_a_keyed_domain_error_reads_in_english_and_in_each_language() -> None:
    inner = InvalidInput.of("staff.err.not_ticket_number", raw="x")
    err = InvalidInput.of("staff.err.with_usage", error=inner, usage=Phrase("staff.usage.take"))
    assert str(err) == "'x' is not a ticket number. Usage: /take <id>"
    assert err.text("zh") == "'x' 不是工单编号。用法：/take <工单号>"
    assert InvalidInput("as raised").text("zh") == "as raised"
