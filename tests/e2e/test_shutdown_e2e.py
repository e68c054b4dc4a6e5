"""SIGTERM mid-burst: run_bot.py stops cleanly; a restart loses and doubles nothing."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.harness import eventually, start_bot_process

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
USERS, PER_USER = 20, 10


def _stored_texts(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [r[0] for r in conn.execute("SELECT text FROM message WHERE direction='inbound'")]


async def test_sigterm_mid_burst_then_restart_stores_every_message_once(
    sandbox, tmp_path: Path
) -> None:
    db_path, log_path = tmp_path / "crm.db", tmp_path / "bot.log"
    bot = await start_bot_process(sandbox, db_path, log_path)
    await sandbox.wait_for(
        lambda: any(c.method == "setMyCommands" for c in sandbox.requests), timeout=30
    )
    users = [sandbox.user(1000 + i, f"U{i}") for i in range(USERS)]
    sent: list[str] = []

    def burst(rounds: range) -> None:
        for n in rounds:
            for user in users:
                text = f"msg {n} from {user.id}"
                sandbox.send_text(user, text)
                sent.append(text)

    burst(range(PER_USER // 2))
    # SIGTERM part-way through the first half of the burst...
    await sandbox.wait_for(lambda: len(sandbox.sent) >= 20, timeout=30)
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), 30) == 0, log_path.read_text()
    # ...and the second half arrives at "Telegram" while the bot is down.
    burst(range(PER_USER // 2, PER_USER))
    assert "Traceback" not in log_path.read_text()
    stored_at_stop = len(_stored_texts(db_path))
    assert 0 < stored_at_stop < len(sent)  # the rest waits for the restart

    bot = await start_bot_process(sandbox, db_path, log_path)
    try:

        async def all_stored() -> bool:
            return len(_stored_texts(db_path)) >= len(sent) and sandbox.pending_updates == 0

        await eventually(all_stored, timeout=60, interval=0.1)
        await sandbox.wait_for(lambda: len(sandbox.sent) >= len(sent), timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 30)

    stored = _stored_texts(db_path)
    assert sorted(stored) == sorted(sent)  # every message, exactly once
    acks = [m for m in sandbox.sent if m.method == "sendMessage"]
    assert len(acks) == len(sent)  # each acknowledged once, none twice
    for user in users:
        assert len(sandbox.messages_to(user.id)) == PER_USER
