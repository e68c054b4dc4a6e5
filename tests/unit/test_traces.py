"""What counts as a trace of a person in raw payloads and audit details (pure functions)."""

from __future__ import annotations

import json

from crm.customers.traces import ERASED, Identity, mentions, scrub, sent_by, stub

ZOE = Identity.of(
    [
        {
            "telegram_id": 501,
            "first_name": "Zoë",
            "last_name": "Quist",
            "username": "zoeq",
            "phone": "+14155550123",
            "email": "zoe@example.org",
        }
    ],
    texts=["my card is 4111 1111 1111 1111", "ok"],
)
ZOE_USER = {"id": 501, "is_bot": False, "first_name": "Zoë", "username": "zoeq"}
ANNA_USER = {"id": 7001, "is_bot": False, "first_name": "Anna"}


def _message(sender: dict, text: str, **more: object) -> dict:
    chat = {"id": sender["id"], "type": "private"}
    return {"message_id": 1, "date": 1, "from": sender, "chat": chat, "text": text, **more}


def test_updates_she_sent_are_hers_whatever_their_kind() -> None:
    assert sent_by({"update_id": 1, "message": _message(ZOE_USER, "hi")}, ZOE)
    assert sent_by({"update_id": 2, "edited_message": _message(ZOE_USER, "hi!")}, ZOE)
    press = {
        "id": "q1",
        "from": ZOE_USER,
        "data": "forget:1:yes",
        "message": _message({"id": 501}, "?"),
    }
    assert sent_by({"update_id": 3, "callback_query": press}, ZOE)
    blocked = {"chat": {"id": 501, "type": "private"}, "from": ZOE_USER, "date": 1}
    assert sent_by({"update_id": 4, "my_chat_member": blocked}, ZOE)
    assert not sent_by({"update_id": 5, "message": _message(ANNA_USER, "Zoë called")}, ZOE)


def test_others_updates_mention_her_by_id_name_handle_or_quote() -> None:
    forwarded = _message(ANNA_USER, "fwd", forward_origin={"type": "user", "sender_user": ZOE_USER})
    assert mentions(forwarded, ZOE)
    assert mentions(_message(ANNA_USER, "ring ZOË QUIST back"), ZOE)  # any case
    assert mentions(_message(ANNA_USER, "call 14155550123"), ZOE)  # as Telegram shares phones
    quoted = {"reply_to_message": {"text": "💬 #4 my card is 4111 1111 1111 1111"}}
    assert mentions(_message(ANNA_USER, "On it", **quoted), ZOE)
    # Names count as whole words only; a short text quotes nobody.
    assert not mentions(_message(ANNA_USER, "Zoëtrope ok Quistian"), ZOE)
    assert not mentions(_message(ANNA_USER, "nothing about anyone"), ZOE)


def test_without_names_only_ids_and_handles_count() -> None:
    assert mentions({"name": "zoe@example.org"}, ZOE, names=False)
    assert mentions({"to": 501}, ZOE, names=False)
    assert not mentions({"name": "Zoë"}, ZOE, names=False)  # a namesake on the staff


def test_scrub_nulls_her_ids_and_erases_her_strings_only() -> None:
    details = {"telegram_id": 501, "by": "phone", "phone": "+14155550123", "moved": {"tickets": 2}}
    assert scrub(details, ZOE) == {
        "telegram_id": None,
        "by": "phone",
        "phone": ERASED,
        "moved": {"tickets": 2},
    }
    assert scrub([True, 1, "Anna"], ZOE) == [True, 1, "Anna"]


def test_a_stub_keeps_only_the_update_id() -> None:
    payload = {"update_id": 77, "message": _message(ZOE_USER, "my card is 4111 1111 1111 1111")}
    assert stub(payload) == {"update_id": 77}


def test_needles_come_as_written_and_as_sqlite_keeps_json() -> None:
    needles = ZOE.needles()
    assert {"501", "Zoë", json.dumps("Zoë")[1:-1], "zoeq", "14155550123"} <= needles
    assert "ok" not in needles  # too short to quote anyone
    assert ZOE.needles(names=False) & {"Zoë", "Quist"} == set()


def test_short_latin_names_are_not_searched_but_chinese_ones_are() -> None:
    li = Identity.of([{"first_name": "李雷", "last_name": "Al"}])
    assert li.names == frozenset({"李雷"})
    assert mentions({"text": "给 李雷 回电话"}, li)
    assert not mentions({"text": "Al called about the total"}, li)
