"""Updates of one chat run in order; different chats run side by side."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.processor import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "U", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="x")
    return Update(update_id, message=message)


async def test_one_chat_is_serialised_and_chats_overlap() -> None:
    processor = PerChatUpdateProcessor(16)
    log: list[tuple[str, int, int]] = []
    release = asyncio.Event()
    other_chat_done = asyncio.Event()

    async def handle(update_id: int, chat_id: int, wait: bool) -> None:
        log.append(("start", chat_id, update_id))
        if wait:
            await release.wait()
        log.append(("end", chat_id, update_id))
        if chat_id == 20:
            other_chat_done.set()

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 10), handle(1, 10, True))),
        asyncio.create_task(processor.process_update(_update(2, 10), handle(2, 10, False))),
        asyncio.create_task(processor.process_update(_update(3, 20), handle(3, 20, False))),
    ]
    await asyncio.wait_for(other_chat_done.wait(), timeout=2)
    # Chat 20 finished while chat 10's first update is still blocked; chat 10's second waits.
    assert ("end", 20, 3) in log
    assert ("start", 10, 2) not in log
    assert processor.in_flight == 2
    release.set()
    await asyncio.gather(*tasks)
    chat10 = [entry for entry in log if entry[1] == 10]
    assert chat10 == [("start", 10, 1), ("end", 10, 1), ("start", 10, 2), ("end", 10, 2)]
    assert processor.in_flight == 0
    assert processor._locks == {}  # nothing kept for idle chats
