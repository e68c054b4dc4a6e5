"""bench/throughput_bench.py's scenarios: simulated customers, burst, paced latency, memory."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import AsyncExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.throughput_bots import ROOT, BenchError, BotProcess, crm_env, free_port, fresh_postgres
from bot.sandbox import SandboxBotAPI, SandboxLoadBalancer, SandboxUser

WEBHOOK_SECRET = "bench-throughput-secret"
WARMUP_CUSTOMERS, WARMUP_MESSAGES = 20, 2
STALL_SECONDS = 60.0  # no acknowledgement for this long: the bot is stuck, stop
READY_SECONDS = 120.0  # start-up, migrations included
MEMORY_WINDOW = 2_000  # updates posted but not yet acknowledged, at most, in the memory run
# The acknowledgements the CRM bot sends (crm/i18n.py, English): new ticket, appended.
ACK_MARKERS = ("We've opened ticket #", "added to your ticket #")
PHRASES = (
    "Hello, where is my order?",
    "I was charged twice for the same invoice",
    "The app crashes when I log in",
    "Can I change my delivery address?",
    "Thanks, and one more question",
)


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


@dataclass(frozen=True, slots=True)
class Plan:
    customers: int
    messages: int
    latency_seconds: float
    memory_updates: int
    settle: float  # seconds after start-up before timing
    pg_url: str | None


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
