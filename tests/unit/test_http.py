"""The bot's aiohttp-based Bot API client: bodies, uploads, timeouts and errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.http import AiohttpRequest
from bot.sandbox import SandboxBotAPI
from tests.harness import free_port

OK = json.dumps({"ok": True, "result": True}).encode()


class Recorder:
    """A tiny Bot API stand-in that records what each request carried."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.delay = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        if self.delay:
            await asyncio.sleep(self.delay)
        seen: dict = {
            "path": request.path,
            "host": request.host,
            "agent": request.headers.get("User-Agent", ""),
        }
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            parts = {}
            async for part in reader:
                parts[part.name] = (part.filename, await part.read())
            seen["parts"] = parts
        else:
            seen["form"] = dict(await request.post())
        self.requests.append(seen)
        return web.Response(body=OK, content_type="application/json")


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[Recorder, str]]:
    server = Recorder()
    app = web.Application()
    app.router.add_post("/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[AiohttpRequest]:
    request = AiohttpRequest(read_timeout=0.5)
    await request.initialize()
    try:
        yield request
    finally:
        await request.shutdown()


def data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_parameters_arrive_as_form_fields(client, recorder) -> None:
    server, url = recorder
    status, body = await client.do_request(
        f"{url}/bot1:x/sendMessage", "POST", data(chat_id=42, text="héllo & <b>")
    )
    assert (status, json.loads(body)) == (200, {"ok": True, "result": True})
    [seen] = server.requests
    assert seen["path"] == "/bot1:x/sendMessage"
    assert seen["form"] == {"chat_id": "42", "text": "héllo & <b>"}
    assert seen["agent"].startswith("python-telegram-bot")


async def test_uploads_go_as_multipart_with_their_name(client, recorder) -> None:
    server, url = recorder
    upload = InputFile(b"\x89PNG chart bytes", filename="chart.png")
    status, _ = await client.do_request(
        f"{url}/bot1:x/sendPhoto", "POST", data(chat_id=7, photo=upload, caption="Daily")
    )
    assert status == 200
    parts = server.requests[0]["parts"]
    assert parts["chat_id"] == (None, b"7")
    assert parts["caption"] == (None, b"Daily")
    [(filename, content)] = [v for v in parts.values() if v[0] is not None]
    assert (filename, content) == ("chart.png", b"\x89PNG chart bytes")


async def test_a_slow_answer_is_a_timeout(client, recorder) -> None:
    server, url = recorder
    server.delay = 2.0
    with pytest.raises(TimedOut):
        await client.do_request(f"{url}/bot1:x/getMe", "POST")
    # A per-call read timeout overrides the default one.
    server.delay = 0.3
    status, _ = await client.do_request(f"{url}/bot1:x/getMe", "POST", read_timeout=2.0)
    assert status == 200


async def test_nobody_listening_is_a_network_error(client) -> None:
    with pytest.raises(NetworkError) as caught:
        await client.do_request(f"http://127.0.0.1:{free_port()}/bot1:x/getMe", "POST")
    assert not isinstance(caught.value, TimedOut)
    assert "aiohttp." in str(caught.value)


async def test_it_refuses_to_send_before_initialize_and_reopens_after_shutdown(recorder) -> None:
    server, url = recorder
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{url}/bot1:x/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.initialize()
    try:
        assert (await request.do_request(f"{url}/bot1:x/getMe", "POST"))[0] == 200
    finally:
        await request.shutdown()
    assert len(server.requests) == 1


async def test_at_most_pool_size_requests_are_in_flight(recorder) -> None:
    server, url = recorder
    server.delay = 0.2
    request = AiohttpRequest(connection_pool_size=2, pool_timeout=5.0)
    await request.initialize()
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.gather(*(request.do_request(f"{url}/bot1:x/getMe", "POST") for _ in range(4)))
        # Four 0.2 s requests through two connections take two rounds.
        assert loop.time() - started >= 0.39
    finally:
        await request.shutdown()
    assert len(server.requests) == 4


async def test_python_telegram_bot_runs_on_it_against_the_sandbox() -> None:
    async with SandboxBotAPI() as sandbox:
        customer = sandbox.user(501, "Ann")
        bot = Bot(sandbox.token, base_url=sandbox.api_url, request=AiohttpRequest())
        async with bot:
            me = await bot.get_me()
            sent = await bot.send_message(customer.id, "<b>hi</b> & bye")
        assert me.username == sandbox.bot_username
        assert sent.text == "<b>hi</b> & bye"
        assert [m.text for m in sandbox.messages_to(customer.id)] == ["<b>hi</b> & bye"]


async def test_the_proxy_comes_from_the_environment_once_per_host(recorder, monkeypatch) -> None:
    server, url = recorder
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", url)
    monkeypatch.setenv("NO_PROXY", "direct.invalid")
    request = AiohttpRequest(connect_timeout=2.0)
    await request.initialize()
    try:
        # Through the proxy (the recorder): the host does not even resolve.
        status, _ = await request.do_request("http://api.invalid/bot1:x/getMe", "POST")
        assert status == 200
        assert server.requests[-1]["host"] == "api.invalid"
        # NO_PROXY hosts are asked directly (and this one does not exist).
        with pytest.raises(NetworkError):
            await request.do_request("http://direct.invalid/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
    assert len(server.requests) == 1
