"""The bot's HTTP client for the Bot API: python-telegram-bot's request interface on aiohttp.

python-telegram-bot talks HTTP through a ``BaseRequest``; its stock one is built on httpx,
whose connection pool (httpcore) rescans every connection and every queued request on
each request start and end. With a few hundred updates in flight that scan, and httpx's
per-request machinery, cost more CPU than storing the message (``bench/throughput_bench.py``
measures both). aiohttp, already the bot's web server, has a C HTTP parser and an O(1)
connection pool: the same requests for a fraction of the CPU.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies_environment, proxy_bypass_environment

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

USER_AGENT = BaseRequest.USER_AGENT


class AiohttpRequest(BaseRequest):
    """Make the Bot API's requests with one aiohttp session and a bounded connection pool.

    The timeouts mean what they mean for python-telegram-bot's ``HTTPXRequest``: `pool`
    bounds the wait for a free connection, `connect` the TCP (and TLS) set-up, `read` the
    wait for the answer; `write` bounds the whole request body upload.
    """

    __slots__ = ("_limit", "_media_write_timeout", "_proxies", "_session", "_timeouts")

    def __init__(
        self,
        *,
        connection_pool_size: int = 64,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        self._limit = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (python-telegram-bot adds it to getUpdates' timeout)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the session (again, after a shutdown)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit, limit_per_host=self._limit),
                headers={"User-Agent": USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return its status and body (python-telegram-bot parses them)."""
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._given(read_timeout, "read")
        connect = self._given(connect_timeout, "connect")
        pool = self._given(pool_timeout, "pool")
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if files else self._timeouts["write"]
        else:
            write = write_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` is the wait for a pooled connection plus setting one up.
            connect=None if pool is None or connect is None else pool + connect,
            sock_connect=connect,
            sock_read=read,
        )
        body: Any = _form(fields, files) if files else fields
        try:
            async with asyncio.timeout(_total(read, write, connect, pool)):
                async with self._session.request(
                    method, url, data=body, timeout=timeout, proxy=self._proxy_for(url)
                ) as response:
                    return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    def _proxy_for(self, url: str) -> str | None:
        """Return the proxy for a URL from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, as httpx would.

        Looked up once per host: aiohttp's own ``trust_env`` reads the environment (and
        ~/.netrc) on a thread for every request.
        """
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = None if proxy_bypass_environment(key[1]) else getproxies_environment()
            self._proxies[key] = proxy.get(key[0]) if proxy else None
        return self._proxies[key]

    def _given(self, value: ODVInput[float], name: str) -> float | None:
        return self._timeouts[name] if isinstance(value, DefaultValue) else value


def _form(fields: dict[str, str] | None, files: dict[str, Any]) -> aiohttp.FormData:
    """Return a multipart body: the parameters as fields, the uploads as files."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in (fields or {}).items():
        form.add_field(name, value)
    for name, part in files.items():
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _total(*limits: float | None) -> float | None:
    """Return a bound on the whole request: the sum of its phases' limits (None: unbounded)."""
    if any(limit is None for limit in limits):
        return None
    return sum(limit or 0.0 for limit in limits)
