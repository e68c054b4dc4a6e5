"""Time a campaign end to end: the real bot, its sender, and the sandbox Bot API's limits.

    python bench/campaign_bench.py [--recipients 10000] [--rate 25] [--paid-rate 1000]

Scenarios, each on a fresh SQLite store with N customers who all get the campaign:

- free: CRM_BROADCAST_RATE (default 25/s) against a sandbox enforcing Telegram's limits
  (30 messages/s overall, 1 per chat per second; excess calls are answered 429);
- paid: the rate raised to what paid broadcasts allow (1000/s), sandbox limits off: what the
  sender sustains on this machine;
- baseline (same run, same sandbox): a bare loop of python-telegram-bot send_message calls
  at the same concurrency, with no store, no claims and no outcomes: the ceiling for "paid".

Reported: seconds from start to the campaign being done, messages/second, that as a share
of the configured rate, the share of calls answered 429, and double sends (customers who got
the message more than once; must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from telegram import Bot  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.sandbox import SandboxBotAPI  # noqa: E402
from bot.settings import Settings  # noqa: E402
from crm.marketing import campaigns  # noqa: E402
from crm.models import Campaign, CampaignStatus, Customer, RecipientStatus  # noqa: E402

FIRST_ID = 100_000


@dataclass(frozen=True, slots=True)
class Result:
    name: str
    rate: float  # configured messages/second (0: unlimited)
    sent: int
    seconds: float
    limited_share: float
    doubles: int

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def run_campaign(recipients: int, *, rate: int, telegram_limits: bool) -> Result:
    """Run one campaign to `recipients` customers through the real bot; time it."""
    async with SandboxBotAPI() as sandbox:
        if telegram_limits:
            sandbox.set_rate_limits(global_per_second=30, per_chat_per_second=1)
        for i in range(recipients):
            sandbox.user(FIRST_ID + i, f"U{i}")
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                telegram_token=sandbox.token,
                telegram_api_url=sandbox.api_url,
                telegram_file_url=sandbox.file_url,
                db_url=f"sqlite://{folder}/bench.db",
                broadcast_rate=rate,
                send_rate=30 if telegram_limits else 0,
            )
            application = build_application(settings)
            async with running(application, poll_timeout=1.0):
                await Customer.bulk_create(
                    [
                        Customer(telegram_id=FIRST_ID + i, first_name=f"U{i}")
                        for i in range(recipients)
                    ],
                    batch_size=1000,
                )
                campaign = await campaigns.create_campaign(audience="all", text="Bench offer")
                calls_before = len(sandbox.requests)
                started = time.perf_counter()
                await campaigns.start_campaign(campaign_id=campaign.id, actor=None)
                application.bot_data.wake_campaign_sender()
                # The store is the only shared state: poll it.
                while (await Campaign.get(id=campaign.id)).status is not CampaignStatus.DONE:  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
                seconds = time.perf_counter() - started
                progress = await campaigns.progress(campaign_id=campaign.id)
        calls = [c for c in sandbox.requests[calls_before:] if c.method == "sendMessage"]
        limited = sum(1 for c in calls if c.status == 429)
        per_chat = Counter(
            m.chat_id for m in sandbox.sent if m.text and m.text.startswith("Bench offer")
        )
        return Result(
            name="paid" if not telegram_limits else "free",
            rate=rate,
            sent=progress[RecipientStatus.SENT],
            seconds=seconds,
            limited_share=limited / len(calls) if calls else 0.0,
            doubles=sum(1 for n in per_chat.values() if n > 1),
        )


async def run_baseline(recipients: int, *, concurrency: int) -> Result:
    """Send the same number of messages with bare PTB calls: no store, no bookkeeping."""
    async with SandboxBotAPI() as sandbox:
        for i in range(recipients):
            sandbox.user(FIRST_ID + i, f"U{i}")
        bot = Bot(sandbox.token, base_url=sandbox.api_url)
        async with bot:
            queue = list(range(recipients))
            started = time.perf_counter()

            async def worker() -> None:
                while queue:
                    i = queue.pop()
                    await bot.send_message(FIRST_ID + i, "Bench offer")

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            seconds = time.perf_counter() - started
        return Result("baseline: bare PTB", 0, recipients, seconds, 0.0, 0)


def render(results: list[Result]) -> str:
    """Return the results as a table."""
    lines = [
        f"{'scenario':<22}{'rate':>7}{'sent':>8}{'seconds':>9}{'msg/s':>9}"
        f"{'of rate':>9}{'429s':>8}{'doubles':>9}",
    ]
    for r in results:
        share = f"{r.per_second / r.rate:.1%}" if r.rate else "-"
        lines.append(
            f"{r.name:<22}{r.rate or '-':>7}{r.sent:>8}{r.seconds:>9.1f}{r.per_second:>9.1f}"
            f"{share:>9}{r.limited_share:>8.2%}{r.doubles:>9}"
        )
    return "\n".join(lines)


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=25, help="CRM_BROADCAST_RATE (free)")
    parser.add_argument("--paid-rate", type=int, default=1000, help="rate for paid broadcast")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    results = [
        await run_campaign(args.recipients, rate=args.rate, telegram_limits=True),
        await run_campaign(args.recipients, rate=args.paid_rate, telegram_limits=False),
    ]
    concurrency = min(64, args.paid_rate // 10 + 1)
    results.append(await run_baseline(args.recipients, concurrency=concurrency))
    print(render(results))
    free = results[0]
    print(
        f"\nfree rate: {free.per_second / free.rate:.1%} of CRM_BROADCAST_RATE (target >= 95%), "
        f"429s {free.limited_share:.2%} (target <= 1%), doubles {free.doubles} (target 0)"
    )
    paid, bare = results[1], results[2]
    print(f"paid: {paid.per_second / bare.per_second:.0%} of the bare PTB loop's rate")


if __name__ == "__main__":
    asyncio.run(main())
