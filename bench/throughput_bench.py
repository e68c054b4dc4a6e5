"""Ingest throughput of the real bot (issue #8): updates/s, latency at half the peak, memory.

    python bench/throughput_bench.py [--customers 200] [--messages 10] [--latency-seconds 30]
        [--memory-updates 100000] [--pg-url postgres://...] [--no-postgres] [--quick]

Simulated customers live in this process and write to the sandbox Bot API (also in this
process); every bot is a process of its own talking to the sandbox over HTTP, as in
production: `run_bot.py` for the CRM bot, `bench/echo_bot.py` for the ceiling. Each scenario
gets a fresh sandbox and a fresh store:

- echo: a bare python-telegram-bot echo bot (polling) handling 256 updates at a time, as
  the CRM bot does: the ceiling the ratio is taken against; and the same bot on the CRM
  bot's HTTP client (bot/http.py, aiohttp) instead of PTB's stock httpx one, whose
  connection pool costs more CPU per request the more requests are in flight;
- CRM on SQLite (a fresh file) and on PostgreSQL (a fresh database), polling (through the
  durable inbox, as it runs by default); and on SQLite once more with CRM_POLLING_INBOX=off
  (python-telegram-bot's own Updater, which loses updates on a crash): what the inbox costs;
- CRM in webhook mode on PostgreSQL: one replica, then two behind the sandbox's load
  balancer on one database (the aggregate rate);
- memory: --memory-updates through the CRM bot on SQLite, its RSS read from /proc on the way.

Rate: after a warm-up, N customers each send M text messages at once; updates/s from the
first update posted until the last acknowledgement arrived. The CPU time the bot process(es)
and this process (sandbox, customers, load balancer) spent on the burst is shown per update:
unlike the rate, it hardly moves when other work shares the machine.

Latency: fresh customers' messages paced at half the peak just measured (per bot and store)
for --latency-seconds (30 s by default: one full period of the sentiment-scoring job, so
its pause is in every sample once); from the sandbox handing the update to the bot (its
getUpdates answer) to the acknowledgement's sendMessage. The k-th message the CRM bot sends
to a customer acknowledges the k-th update from that customer: the bot handles one chat's
updates strictly in order and sends one acknowledgement per text message (no agent is
online, so nothing is forwarded); the bench checks that every message is an
acknowledgement and that every chat got exactly one per update. The echo bot's replies are
paired by their text.

Timed phases start once the bot's start-up jobs have run (sentiment scoring 5 s after
start; the daily jobs, which on a fresh store run at once when their time of day has passed:
the summary at 10 s, task reminders at 15 s, segmentation at 20 s) and the bot's CPU use has
fallen under 5% of a core, so one-off start-up work is not counted.

Settings of the CRM bot: CRM_SEND_RATE=0 (the outbound limiter off: Telegram allows about
30 messages/s, and the question is whether the store keeps up, not the limiter);
CRM_FLOOD_MAX=10000 so every message is acknowledged (the flood check still runs); the
background jobs (sentiment scoring every 30 s, SLA checks, leases) stay on; LOG_LEVEL=INFO
(one log line per update), as in production.

Targets: the CRM bot on SQLite sustains >= 50% of the echo bot's rate and >= 300 updates/s;
its RSS stays flat (at most 10% growth from 25k to 100k updates).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Iterator, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bot.sandbox import SandboxBotAPI, SandboxLoadBalancer, SandboxUser  # noqa: E402
from crm.store.db import connect_postgres, redact_db_url  # noqa: E402

TARGET_SHARE = 0.5
TARGET_INBOX_SHARE = 0.8
NO_INBOX = "CRM, SQLite, polling, no inbox"
TARGET_RATE = 300.0
FLAT_TOLERANCE = 0.10
FLOOD_MAX = "10000"
WEBHOOK_SECRET = "bench-throughput-secret"
WARMUP_CUSTOMERS, WARMUP_MESSAGES = 20, 2
# The first runs of the jobs come 5-20 s after start (sentiment scoring, then the daily
# jobs, which on a fresh store run at once when their time of day has passed).
STARTUP_JOBS_SECONDS = 22.0
STALL_SECONDS = 60.0  # no acknowledgement for this long: the bot is stuck, stop
READY_SECONDS = 120.0  # start-up, migrations included
ECHO = "echo bot (bare PTB), polling"
# The same bot on the CRM bot's HTTP client: httpx's connection pool costs more CPU per
# request the more requests are in flight; aiohttp's does not.
ECHO_AIOHTTP = "echo bot on aiohttp"
MEMORY_WINDOW = 2_000  # updates posted but not yet acknowledged, at most, in the memory run
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The acknowledgements the CRM bot sends (crm/i18n.py, English): new ticket, appended.
ACK_MARKERS = ("We've opened ticket #", "added to your ticket #")
PHRASES = (
    "Hello, where is my order?",
    "I was charged twice for the same invoice",
    "The app crashes when I log in",
    "Can I change my delivery address?",
    "Thanks, and one more question",
)


class BenchError(RuntimeError):
    """A scenario could not finish (a bot died, stalled or sent something unexpected)."""


@dataclass
class Row:
    """One line of the result table."""

    what: str
    updates: int = 0
    seconds: float = 0.0
    bot_cpu: float = 0.0  # CPU seconds of the bot process(es) during the burst
    bench_cpu: float = 0.0  # CPU seconds of this process (sandbox, customers, balancer)
    paced_at: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    rss: str = "-"
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


@dataclass
class Memory:
    """RSS samples of the CRM bot along a long run."""

    updates: int
    customers: int
    seconds: float = 0.0
    # (updates acknowledged, VmRSS MB, updates/s since the previous sample)
    samples: list[tuple[int, float, float]] = field(default_factory=list)
    hwm_mb: float = 0.0
    bench_rss_mb: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    def growth(self) -> tuple[float, float]:
        """Return the RSS growth (MB, share) from the 25% sample to the last one."""
        base = next(mb for n, mb, _ in self.samples if n >= self.updates // 4)
        last = self.samples[-1][1]
        return last - base, (last - base) / base


# --------------------------------------------------------------------------------------------
# Bot processes
# --------------------------------------------------------------------------------------------


class BotProcess:
    """A bot running as a process against the sandbox; its output goes to a log file."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log_path: Path) -> None:
        self.name = name
        self.process = process
        self.log_path = log_path

    @classmethod
    async def start(
        cls, name: str, script: Path, sandbox: SandboxBotAPI, folder: Path, **env: str
    ) -> BotProcess:
        """Start `script` with the sandbox's token and URL and the given settings."""
        environ = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(folder),
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_URL": sandbox.api_url,
            "LOG_LEVEL": "INFO",
            **env,
        }
        log_path = folder / f"{name}.log"
        with log_path.open("ab") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(script),
                *(["--env-file", "/nonexistent"] if script.name == "run_bot.py" else []),
                cwd=folder,
                env=environ,
                stdout=log,
                stderr=log,
            )
        return cls(name, process, log_path)

    def status_kb(self, key: str) -> int:
        """Return a /proc/<pid>/status field in kB (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        raise BenchError(f"{key} not in /proc/{self.process.pid}/status")

    def rss_mb(self) -> float:
        return self.status_kb("VmRSS") / 1024

    def cpu_seconds(self) -> float:
        """Return the CPU time (user + system) the process used so far."""
        stat = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(stat[11]) + int(stat[12])) / CLOCK_TICKS

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise BenchError(
                f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    async def stop(self) -> None:
        """SIGTERM, as an operator would; kill after 30 s."""
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


def crm_env(db_url: str) -> dict[str, str]:
    """Return the CRM bot's settings for an ingest benchmark (see the module docstring)."""
    return {"CRM_DB_URL": db_url, "CRM_SEND_RATE": "0", "CRM_FLOOD_MAX": FLOOD_MAX}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def fresh_postgres(pg_url: str, *, create: bool = True) -> None:
    """Drop (and create again, unless told not to) the benchmark's PostgreSQL database."""
    name = pg_url.rsplit("/", 1)[1]
    conn = await connect_postgres(pg_url, database="postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


# --------------------------------------------------------------------------------------------
# Customers and waiting
# --------------------------------------------------------------------------------------------

_ids = itertools.count(1_000_001)


def new_customers(sandbox: SandboxBotAPI, count: int) -> list[SandboxUser]:
    """Register customers the sandbox has never seen."""
    return [sandbox.user(uid, f"C{uid}") for uid in itertools.islice(_ids, count)]


def text_for(customer: SandboxUser, k: int) -> str:
    """Return a customer's k-th message: plausible, and unique (echo replies pair by text)."""
    return f"{PHRASES[k % len(PHRASES)]} ({customer.id}/{k})"


def post(sandbox: SandboxBotAPI, customer: SandboxUser, k: int) -> int:
    """Send a customer's k-th message; return its update id."""
    sandbox.send_text(customer, text_for(customer, k))
    return sandbox.last_update_id


async def wait_sent(sandbox: SandboxBotAPI, target: int, bots: Sequence[BotProcess]) -> None:
    """Wait until the sandbox recorded `target` sent messages; fail if the bots stall or die."""
    progress, since = len(sandbox.sent), time.monotonic()
    while len(sandbox.sent) < target:
        for bot in bots:
            bot.check_alive()
        if len(sandbox.sent) > progress:
            progress, since = len(sandbox.sent), time.monotonic()
        elif time.monotonic() - since > STALL_SECONDS:
            raise BenchError(
                f"stalled at {len(sandbox.sent)}/{target} sent messages; "
                f"{bots[0].name} log:\n{bots[0].log_tail()}"
            )
        with suppress(TimeoutError):
            await sandbox.wait_for(lambda: len(sandbox.sent) >= target, timeout=1.0)


async def warm_up(
    sandbox: SandboxBotAPI, bots: Sequence[BotProcess], method: str, settle: float
) -> None:
    """Wait for the bots (`method` called by each), run a few messages, let start-up jobs run."""
    deadline = time.monotonic() + READY_SECONDS
    while len(sandbox.calls(method)) < len(bots):
        for bot in bots:
            bot.check_alive()
        if time.monotonic() > deadline:
            raise BenchError(f"{bots[0].name} not ready:\n{bots[0].log_tail()}")
        with suppress(TimeoutError):
            await sandbox.wait_for(lambda: len(sandbox.calls(method)) >= len(bots), timeout=1.0)
    ready = time.monotonic()
    customers = new_customers(sandbox, WARMUP_CUSTOMERS)
    target = len(sandbox.sent) + WARMUP_CUSTOMERS * WARMUP_MESSAGES
    for k in range(WARMUP_MESSAGES):
        for customer in customers:
            post(sandbox, customer, k)
    await wait_sent(sandbox, target, bots)
    if settle:
        await asyncio.sleep(max(0.0, ready + settle - time.monotonic()))
        await cpu_quiet(bots)
    await sandbox.wait_idle(quiet=0.5, timeout=60)


async def cpu_quiet(bots: Sequence[BotProcess]) -> None:
    """Wait (at most a minute) until the bots use under 5% of a core: start-up jobs are done."""
    deadline = time.monotonic() + 60
    before = sum(bot.cpu_seconds() for bot in bots)
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        now = sum(bot.cpu_seconds() for bot in bots)
        if now - before < 0.05:
            return
        before = now


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


async def burst(
    sandbox: SandboxBotAPI, bots: Sequence[BotProcess], row: Row, customers: int, messages: int
) -> None:
    """Post customers x messages at once; fill in the row's updates, seconds and CPU."""
    people = new_customers(sandbox, customers)
    first = len(sandbox.sent)
    total = customers * messages
    bot_cpu = sum(bot.cpu_seconds() for bot in bots)
    bench_cpu = time.process_time()
    started = time.monotonic()
    for k in range(messages):
        for customer in people:
            post(sandbox, customer, k)
    await wait_sent(sandbox, first + total, bots)
    row.updates = total
    row.seconds = max(m.time for m in sandbox.sent[first : first + total]) - started
    row.bot_cpu = sum(bot.cpu_seconds() for bot in bots) - bot_cpu
    row.bench_cpu = time.process_time() - bench_cpu


async def paced_latency(
    sandbox: SandboxBotAPI,
    bots: Sequence[BotProcess],
    *,
    rate: float,
    seconds: float,
    customers: int,
    echo: bool,
) -> tuple[float, float]:
    """Post fresh customers' messages at `rate` for `seconds`; return (p50, p99) in ms."""
    people = new_customers(sandbox, customers)
    total = max(1, int(rate * seconds))
    posted: dict[int, list[int]] = {c.id: [] for c in people}
    by_text: dict[str, int] = {}
    first = len(sandbox.sent)
    started = time.monotonic()
    count = 0
    while count < total:
        due = min(total, int((time.monotonic() - started) * rate) + 1)
        for i in range(count, due):
            customer, k = people[i % customers], i // customers
            update_id = post(sandbox, customer, k)
            posted[customer.id].append(update_id)
            by_text[text_for(customer, k)] = update_id
        count = due
        await asyncio.sleep(0.002)
    await wait_sent(sandbox, first + total, bots)

    latencies: list[float] = []
    for chat_id, update_ids in posted.items():
        answers = sandbox.messages_to(chat_id)
        if len(answers) != len(update_ids):
            raise BenchError(
                f"chat {chat_id}: {len(update_ids)} updates but {len(answers)} messages sent"
            )
        if echo:
            pairs = [(by_text[a.text or ""], a) for a in answers]
        else:
            odd = [a.text for a in answers if not any(m in (a.text or "") for m in ACK_MARKERS)]
            if odd:
                raise BenchError(f"chat {chat_id} got a message that is no acknowledgement: {odd}")
            pairs = list(zip(update_ids, answers, strict=True))
        latencies += [a.time - sandbox.served_at[u] for u, a in pairs]
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies) * 1000, cuts[98] * 1000


def checkpoints(total: int) -> list[int]:
    """Return where RSS is sampled: 10%, 25%, 50% and 100% of the run (10k ... 100k)."""
    return sorted({max(1, total * p // 100) for p in (10, 25, 50, 100)})


async def memory_run(sandbox: SandboxBotAPI, bot: BotProcess, total: int, messages: int) -> Memory:
    """Drive `total` updates (fresh customers, `messages` each) and sample the bot's RSS."""
    customers = -(-total // messages)

    def stream() -> Iterator[tuple[SandboxUser, int]]:
        # Waves of 200 new customers, each writing `messages` times, as in the burst.
        left = customers
        while left > 0:
            people = new_customers(sandbox, min(200, left))
            left -= len(people)
            for k in range(messages):
                for customer in people:
                    yield customer, k

    result = Memory(updates=total, customers=customers)
    result.samples.append((0, bot.rss_mb(), 0.0))
    marks = checkpoints(total)
    first = len(sandbox.sent)
    source = itertools.islice(stream(), total)
    posted = 0
    started = last_time = time.monotonic()
    last_count = 0
    while marks:
        acked = len(sandbox.sent) - first
        while marks and acked >= marks[0]:
            now = time.monotonic()
            rate = (acked - last_count) / (now - last_time)
            result.samples.append((marks.pop(0), bot.rss_mb(), rate))
            last_count, last_time = acked, now
        for customer, k in itertools.islice(source, max(0, acked + MEMORY_WINDOW - posted)):
            post(sandbox, customer, k)
            posted += 1
        if marks:
            await wait_sent(sandbox, first + min(marks[0], acked + MEMORY_WINDOW // 2), [bot])
    result.seconds = max(m.time for m in sandbox.sent[first:]) - started
    result.hwm_mb = bot.status_kb("VmHWM") / 1024
    result.bench_rss_mb = _own_rss_mb()
    return result


def _own_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    customers: int
    messages: int
    latency_seconds: float
    memory_updates: int
    settle: float  # seconds after start-up before timing
    pg_url: str | None


async def polling_scenario(
    what: str,
    plan: Plan,
    *,
    folder: Path,
    db_url: str | None = None,
    echo_http: str | None = None,
    latency: bool = True,
    **extra_env: str,
) -> Row:
    """Run one polling bot (echo when db_url is None): warm-up, burst, paced latency."""
    row = Row(what)
    async with AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(SandboxBotAPI())
        if db_url is None:
            env = {"ECHO_HTTP": echo_http} if echo_http else {}
            script = ROOT / "bench" / "echo_bot.py"
            bot = await BotProcess.start("echo", script, sandbox, folder, **env)
        else:
            bot = await BotProcess.start(
                "crm", ROOT / "run_bot.py", sandbox, folder, **crm_env(db_url), **extra_env
            )
        stack.push_async_callback(bot.stop)
        await warm_up(sandbox, [bot], "getUpdates", plan.settle)
        await burst(sandbox, [bot], row, plan.customers, plan.messages)
        if latency:
            await sandbox.wait_idle(quiet=0.5, timeout=60)
            row.paced_at = row.rate / 2
            row.p50_ms, row.p99_ms = await paced_latency(
                sandbox,
                [bot],
                rate=row.paced_at,
                seconds=plan.latency_seconds,
                customers=plan.customers,
                echo=db_url is None,
            )
        row.rss = f"{bot.rss_mb():.0f}"
    return row


async def webhook_scenario(what: str, plan: Plan, *, replicas: int, folder: Path) -> Row:
    """Run `replicas` CRM bots in webhook mode behind the load balancer on one PostgreSQL."""
    assert plan.pg_url is not None
    await fresh_postgres(plan.pg_url)
    row = Row(what)
    async with AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(SandboxBotAPI())
        balancer = await stack.enter_async_context(SandboxLoadBalancer())
        bots = []
        for i in range(replicas):
            port = free_port()
            balancer.backends.append(f"http://127.0.0.1:{port}")
            bot = await BotProcess.start(
                f"crm-replica-{i + 1}",
                ROOT / "run_bot.py",
                sandbox,
                folder,
                **crm_env(plan.pg_url),
                CRM_WEBHOOK_URL=f"{balancer.url}/telegram",
                CRM_WEBHOOK_SECRET=WEBHOOK_SECRET,
                CRM_LISTEN=f"127.0.0.1:{port}",
            )
            stack.push_async_callback(bot.stop)
            bots.append(bot)
        await warm_up(sandbox, bots, "setWebhook", plan.settle)
        await burst(sandbox, bots, row, plan.customers, plan.messages)
        row.rss = "+".join(f"{bot.rss_mb():.0f}" for bot in bots)
    return row


async def memory_scenario(plan: Plan, folder: Path) -> Memory:
    """Run the long SQLite run that samples the bot's RSS."""
    async with AsyncExitStack() as stack:
        sandbox = await stack.enter_async_context(SandboxBotAPI())
        env = crm_env(f"sqlite://{folder}/memory.db")
        bot = await BotProcess.start("crm-memory", ROOT / "run_bot.py", sandbox, folder, **env)
        stack.push_async_callback(bot.stop)
        await warm_up(sandbox, [bot], "getUpdates", plan.settle)
        return await memory_run(sandbox, bot, plan.memory_updates, plan.messages)


async def run(plan: Plan) -> tuple[list[Row], Memory | str]:
    """Run every scenario; a failed scenario becomes a row with its error."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="crm-throughput-") as tmp:
        folder = Path(tmp)

        async def attempt(what: str, scenario: Awaitable[Row]) -> None:
            try:
                rows.append(await scenario)
            except (BenchError, OSError, TimeoutError) as err:
                rows.append(Row(what, error=str(err)))
            print(f"  done: {what}", file=sys.stderr, flush=True)

        what = ECHO
        await attempt(what, polling_scenario(what, plan, folder=folder))
        what = ECHO_AIOHTTP
        await attempt(
            what, polling_scenario(what, plan, folder=folder, echo_http="aiohttp", latency=False)
        )
        what = "CRM, SQLite, polling"
        db_url = f"sqlite://{folder}/ingest.db"
        await attempt(what, polling_scenario(what, plan, folder=folder, db_url=db_url))
        what = NO_INBOX
        db_url = f"sqlite://{folder}/ingest-no-inbox.db"
        await attempt(
            what,
            polling_scenario(
                what, plan, folder=folder, db_url=db_url, latency=False, CRM_POLLING_INBOX="off"
            ),
        )
        if plan.pg_url is not None:
            await fresh_postgres(plan.pg_url)
            what = "CRM, PostgreSQL, polling"
            await attempt(what, polling_scenario(what, plan, folder=folder, db_url=plan.pg_url))
            what = "CRM, PostgreSQL, webhook x1"
            await attempt(what, webhook_scenario(what, plan, replicas=1, folder=folder))
            what = "CRM, PostgreSQL, webhook x2"
            await attempt(what, webhook_scenario(what, plan, replicas=2, folder=folder))
            with suppress(Exception):  # a cleanup: the scenarios reported any failure
                await fresh_postgres(plan.pg_url, create=False)  # leave nothing behind
        memory: Memory | str
        try:
            memory = await memory_scenario(plan, folder)
        except (BenchError, OSError, TimeoutError) as err:
            memory = str(err)
        print("  done: memory", file=sys.stderr, flush=True)
    return rows, memory


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(rows: list[Row], memory: Memory | str, plan: Plan) -> str:
    """Return the result table, the memory samples and the verdicts."""
    echo = next((r for r in rows if r.what == ECHO and r.error is None), None)
    same_http = next((r for r in rows if r.what == ECHO_AIOHTTP and r.error is None), None)
    lines = [
        f"burst: {plan.customers} customers x {plan.messages} messages after a warm-up of "
        f"{WARMUP_CUSTOMERS} x {WARMUP_MESSAGES}; latency: paced at half the peak for "
        f"{plan.latency_seconds:g} s",
        "CPU ms/upd: CPU time per update during the burst, of the bot process(es) and of the "
        "bench process (sandbox Bot API, customers, load balancer)",
        "",
        f"{'what':<30}{'updates':>8}{'upd/s':>8}{'of echo':>8}{'CPU ms/upd':>16}"
        f"{'paced at':>10}{'p50 ms':>8}{'p99 ms':>8}{'RSS MB':>9}",
        f"{'':<30}{'':>8}{'':>8}{'':>8}{'bot':>8}{'bench':>8}",
    ]
    for r in rows:
        if r.error is not None:
            lines.append(f"{r.what:<30}  FAILED: {r.error.splitlines()[0]}")
            continue
        share = f"{r.rate / echo.rate:.0%}" if echo else "-"
        paced = "-" if r.paced_at is None else f"{r.paced_at:.0f}/s"
        lines.append(
            f"{r.what:<30}{r.updates:>8}{r.rate:>8.1f}{share:>8}"
            f"{r.bot_cpu / r.updates * 1000:>8.2f}{r.bench_cpu / r.updates * 1000:>8.2f}"
            f"{paced:>10}{_ms(r.p50_ms):>8}{_ms(r.p99_ms):>8}{r.rss:>9}"
        )
    lines.append("")
    if isinstance(memory, str):
        lines.append(f"memory run FAILED: {memory}")
    else:
        lines.append(
            f"memory: CRM, SQLite, {memory.updates:,} updates from {memory.customers:,} "
            f"customers in {memory.seconds:.0f} s ({memory.rate:.1f} upd/s sustained)"
        )
        lines.append(f"{'after updates':>14}{'VmRSS MB':>10}{'upd/s since previous':>22}")
        for n, mb, rate in memory.samples:
            lines.append(f"{n:>14,}{mb:>10.1f}{(f'{rate:.1f}' if n else '-'):>22}")
        lines.append(
            f"peak (VmHWM) {memory.hwm_mb:.1f} MB; the bench process (sandbox and its records) "
            f"{memory.bench_rss_mb:.0f} MB"
        )
    for failed in (r for r in rows if r.error is not None):
        lines += ["", f"{failed.what} failed:", failed.error or ""]
    lines += ["", "targets (issue #8):"]
    sqlite = next((r for r in rows if r.what == "CRM, SQLite, polling" and r.error is None), None)
    if sqlite is not None and echo is not None:
        share = sqlite.rate / echo.rate
        lines.append(
            f"  CRM on SQLite >= {TARGET_SHARE:.0%} of the echo bot: {share:.0%} "
            f"({sqlite.rate:.0f} vs {echo.rate:.0f} upd/s) -> "
            f"{'met' if share >= TARGET_SHARE else 'MISSED'}"
        )
    if sqlite is not None and same_http is not None:
        lines.append(
            f"    (and {sqlite.rate / same_http.rate:.0%} of the echo bot on the CRM bot's "
            f"aiohttp client, {same_http.rate:.0f} upd/s)"
        )
    if sqlite is not None:
        lines.append(
            f"  CRM on SQLite >= {TARGET_RATE:.0f} upd/s: {sqlite.rate:.0f} -> "
            f"{'met' if sqlite.rate >= TARGET_RATE else 'MISSED'}"
        )
    bare = next((r for r in rows if r.what == NO_INBOX and r.error is None), None)
    if sqlite is not None and bare is not None:
        share = sqlite.rate / bare.rate
        cpu = (sqlite.bot_cpu / sqlite.updates) / (bare.bot_cpu / bare.updates)
        met = sqlite.rate >= TARGET_RATE or share >= TARGET_INBOX_SHARE
        lines.append(
            f"  polling through the durable inbox (issue #14) >= {TARGET_RATE:.0f} upd/s or "
            f">= {TARGET_INBOX_SHARE:.0%} of polling without it: {sqlite.rate:.0f} vs "
            f"{bare.rate:.0f} upd/s ({share:.0%}; {cpu:.2f}x the bot CPU per update) -> "
            f"{'met' if met else 'MISSED'}"
        )
    if not isinstance(memory, str):
        mb, share = memory.growth()
        quarter = f"{memory.updates // 4:,}"
        lines.append(
            f"  RSS flat ({quarter} -> {memory.updates:,} updates, <= {FLAT_TOLERANCE:.0%}): "
            f"{mb:+.1f} MB ({share:+.1%}) -> {'met' if share <= FLAT_TOLERANCE else 'MISSED'}"
        )
    one = next((r for r in rows if r.what.endswith("webhook x1") and r.error is None), None)
    two = next((r for r in rows if r.what.endswith("webhook x2") and r.error is None), None)
    if two is not None:
        versus = f" ({two.rate / one.rate:.2f}x one webhook replica)" if one else ""
        lines.append(f"  two replicas on PostgreSQL: {two.rate:.0f} upd/s aggregate{versus}")
    lines += [
        "",
        "CRM bot: CRM_SEND_RATE=0 (outbound limiter off: the point is that the store is never "
        "the bottleneck; Telegram itself allows ~30 msg/s),",
        f"CRM_FLOOD_MAX={FLOOD_MAX} (every message acknowledged; the check still runs), "
        "background jobs (sentiment scoring, SLA, leases) on, LOG_LEVEL=INFO.",
    ]
    if plan.pg_url:
        lines.append(
            f"PostgreSQL: {redact_db_url(plan.pg_url)} (created per scenario, dropped after)"
        )
    return "\n".join(lines)


QUICK = {"customers": 50, "messages": 10, "latency_seconds": 5.0, "memory_updates": 5_000}
DEFAULTS = {"customers": 200, "messages": 10, "latency_seconds": 30.0, "memory_updates": 100_000}


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, help="N customers per burst (200)")
    parser.add_argument("--messages", type=int, help="M messages per customer (10)")
    parser.add_argument("--latency-seconds", type=float, help="paced latency window (30)")
    parser.add_argument("--memory-updates", type=int, help="updates in the memory run (100000)")
    parser.add_argument(
        "--pg-url",
        default="postgres://postgres@127.0.0.1:5432/crm_bench_throughput",
        help="a database the bench may drop and create",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite and echo only")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 50 x 10, 5 s latency, 5,000 updates, no wait for start-up jobs",
    )
    args = parser.parse_args(argv)
    chosen = {**(QUICK if args.quick else DEFAULTS)}
    chosen.update({k: v for k, v in vars(args).items() if k in chosen and v is not None})
    plan = Plan(
        **chosen,
        settle=0.0 if args.quick else STARTUP_JOBS_SECONDS,
        pg_url=None if args.no_postgres else args.pg_url,
    )
    load = os.getloadavg()[0]
    started = time.perf_counter()
    rows, memory = await run(plan)
    print(render(rows, memory, plan))
    print(
        f"\n{time.perf_counter() - started:.0f} s in all; load average {load:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after ({os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    asyncio.run(main())
