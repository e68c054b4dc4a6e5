"""Faults a test controls: a store that stops answering, for a while."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class TcpProxy:
    """A loopback TCP proxy in front of a server, which the test can cut off and restore.

    Cut, it closes every connection it carries and refuses new ones: to a client, the server
    is gone (as when PostgreSQL restarts or the network between them fails).
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._cut = False

    async def __aenter__(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    def url_for(self, db_url: str) -> str:
        """Return the database URL that goes through this proxy."""
        parts = urlsplit(db_url)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{self.port}" if auth else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self._cut = True
        for writer in list(self._pipes):
            writer.close()
        self._pipes.clear()

    def restore(self) -> None:
        """Carry connections again."""
        self._cut = False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._pipes.update((writer, up_writer))
        await asyncio.gather(
            _pipe(reader, up_writer), _pipe(up_reader, writer), return_exceptions=True
        )
        self._pipes.discard(writer)
        self._pipes.discard(up_writer)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@contextmanager
def sqlite_locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on an SQLite store from this (another) process."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


@asynccontextmanager
async def store_unreachable(db_url: str, proxy: TcpProxy | None) -> AsyncIterator[None]:
    """Make the store stop answering (SQLite: locked; PostgreSQL: the proxy cut) meanwhile."""
    if db_url.startswith("sqlite"):
        with sqlite_locked(Path(db_url.removeprefix("sqlite://"))):
            yield
        return
    assert proxy is not None, "a PostgreSQL store is cut off through a TcpProxy"
    proxy.cut()
    try:
        yield
    finally:
        proxy.restore()
