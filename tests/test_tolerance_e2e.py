"""What a failing Bot API call costs: only what it was for, never the rest of the work."""

from __future__ import annotations

import pytest
from telegram.error import TelegramError

from tests.desk import Desk, running_desk

pytestmark = pytest.mark.e2e

CUSTOMER_APOLOGY = "If you sent a message, it is saved"
ANNA = 7001


def _texts(desk: Desk, chat_id: int) -> list[str]:
    return [m.plain_text or m.text or "" for m in desk.sandbox.messages_to(chat_id)]


# --- start-up ------------------------------------------------------------------------------------


async def test_a_refused_command_menu_is_a_warning_and_the_desk_starts(
    sandbox, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.inject_fault("setMyCommands", status=400, description="Bad Request: nope", times=2)
    async with running_desk(sandbox, db_url) as desk:
        reply = await desk.send_text(desk.customer(), "/start")
        assert "Hello, Alice!" in reply.text
    assert [c.status for c in sandbox.calls("setMyCommands")] == [400, 400]
    assert "command menu (en) not published" in caplog.text
    assert "command menu (zh) not published" in caplog.text


async def test_a_failing_get_me_still_stops_start_up(sandbox, db_url: str) -> None:
    sandbox.inject_fault("getMe", status=400, description="Bad Request: who?")
    with pytest.raises(TelegramError, match=r"(?i)who"):
        async with running_desk(sandbox, db_url):
            pass
