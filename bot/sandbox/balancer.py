"""A round-robin load balancer on loopback, for webhook replicas behind one URL."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import aiohttp
from aiohttp import web

from bot.sandbox.webhook import WEBHOOK_TIMEOUT
from bot.sandbox.wire import MAX_UPLOAD_SIZE

logger = logging.getLogger(__name__)


class SandboxLoadBalancer:
    """A round-robin HTTP proxy on loopback: the load balancer in front of webhook replicas.

    Like a reverse proxy with ``proxy_next_upstream error``, a request goes to the next
    backend in turn, and to the one after that when a backend refuses the connection or drops
    it (a replica that stopped or was killed); when none answers the caller gets a 502 and
    Telegram (here: the sandbox) retries later. Responses, including errors, pass through.
    """

    def __init__(
        self, backends: Iterable[str] = (), *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.backends = [b.rstrip("/") for b in backends]
        self.host = host
        self.port = port
        self.forwarded: dict[str, int] = {}  # backend -> requests it answered
        self.failovers = 0
        self._next = 0
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        """Return the balancer's base URL."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        """Bind the proxy; port 0 picks a free port."""
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT),
            connector=aiohttp.TCPConnector(limit=0),
        )
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE)
        app.router.add_route("*", "/{path:.*}", self._proxy)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop proxying."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def __aenter__(self) -> SandboxLoadBalancer:
        """Start the balancer."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the balancer."""
        await self.stop()

    async def _proxy(self, request: web.Request) -> web.StreamResponse:
        """Forward a request to the next live backend."""
        assert self._http is not None
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in {"host", "content-length", "connection", "transfer-encoding"}
        }
        for _ in range(len(self.backends)):
            backend = self.backends[self._next % len(self.backends)]
            self._next += 1
            try:
                async with self._http.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.forwarded[backend] = self.forwarded.get(backend, 0) + 1
                    return web.Response(
                        status=answer.status,
                        body=payload,
                        content_type=answer.content_type,
                    )
            except (aiohttp.ClientConnectionError, TimeoutError, OSError) as err:
                self.failovers += 1
                logger.debug("load balancer: %s failed (%s); trying the next", backend, err)
        return web.Response(status=502, text="no backend answered")
