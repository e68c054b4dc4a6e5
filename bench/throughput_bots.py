"""The bots bench/throughput_bench.py measures, each a process talking HTTP to the sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from bot.sandbox import SandboxBotAPI
from crm.store.db import connect_postgres

ROOT = Path(__file__).resolve().parents[1]
FLOOD_MAX = "10000"  # CRM_FLOOD_MAX: every message is acknowledged, the check still runs
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """A scenario could not finish (a bot died, stalled or sent something unexpected)."""


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
