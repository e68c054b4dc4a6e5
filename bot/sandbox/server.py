"""SandboxBotAPI: the aiohttp app on loopback that routes each Bot API call to its method.

The class is composed of one mixin per area (driver, observer, messages, edits, keyboards, chats,
members, forum, files, updates, webhook, faults); this module holds what ties them together: the
state of the world they share, the method table, the server's lifecycle and the one request
handler every call passes through.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.chats import Chats
from bot.sandbox.driver import Driver
from bot.sandbox.edits import Edits
from bot.sandbox.faults import Faults
from bot.sandbox.files import FileStore
from bot.sandbox.forum import Forum
from bot.sandbox.keyboards import Keyboards
from bot.sandbox.members import Members
from bot.sandbox.messages import Messages
from bot.sandbox.observer import Observer
from bot.sandbox.records import ApiCall, SandboxUser
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.webhook import WebhookPusher
from bot.sandbox.wire import (
    MAX_UPLOAD_SIZE,
    ApiError,
    JSONDict,
    error_response,
    json_response,
    read_params,
)

logger = logging.getLogger(__name__)


class SandboxBotAPI(
    Driver,
    Observer,
    Messages,
    Edits,
    Keyboards,
    Chats,
    Members,
    Forum,
    FileStore,
    UpdateQueue,
    WebhookPusher,
    Faults,
):
    """An in-process fake of the Telegram Bot API server."""

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 123456,
        bot_username: str = "crm_sandbox_bot",
        bot_first_name: str = "CRM Sandbox",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._runner: web.AppRunner | None = None
        self._closing = False

        # World state.
        self._users: dict[int, SandboxUser] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[int, dict[int, JSONDict]] = {}
        self._last_message_id: dict[int, int] = {}
        self._media_group_counter = itertools.count(1)

        # Each area's own state, next to the methods that use it.
        self._init_observer()
        self._init_files()
        self._init_keyboards()
        self._init_chats()
        self._init_members()
        self._init_forum()
        self._init_webhook()
        self._init_updates()
        self._init_faults()

        self._methods: dict[str, tuple[str, Callable[[JSONDict], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._api_get_me),
                ("logOut", self._api_true),
                ("close", self._api_true),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._api_set_webhook),
                ("deleteWebhook", self._api_delete_webhook),
                ("getWebhookInfo", self._api_get_webhook_info),
                ("setMyCommands", self._api_set_my_commands),
                ("getMyCommands", self._api_get_my_commands),
                ("deleteMyCommands", self._api_delete_my_commands),
                ("getChat", self._api_get_chat),
                ("sendMessage", self._api_send_message),
                ("sendPhoto", lambda p: self._api_send_media("sendPhoto", "photo", p)),
                ("sendDocument", lambda p: self._api_send_media("sendDocument", "document", p)),
                ("sendVoice", lambda p: self._api_send_media("sendVoice", "voice", p)),
                ("sendSticker", lambda p: self._api_send_media("sendSticker", "sticker", p)),
                ("sendVideo", lambda p: self._api_send_media("sendVideo", "video", p)),
                ("sendAudio", lambda p: self._api_send_media("sendAudio", "audio", p)),
                ("sendLocation", self._api_send_location),
                ("sendContact", self._api_send_contact),
                ("sendMediaGroup", self._api_send_media_group),
                ("sendChatAction", self._api_send_chat_action),
                ("copyMessage", self._api_copy_message),
                ("forwardMessage", self._api_forward_message),
                ("editMessageText", self._api_edit_message_text),
                ("editMessageCaption", self._api_edit_message_caption),
                ("editMessageReplyMarkup", self._api_edit_message_reply_markup),
                ("deleteMessage", self._api_delete_message),
                ("answerCallbackQuery", self._api_answer_callback_query),
                ("getFile", self._api_get_file),
                ("getChatMember", self._api_get_chat_member),
                ("getChatAdministrators", self._api_get_chat_administrators),
                ("pinChatMessage", self._api_pin_chat_message),
                ("unpinChatMessage", self._api_unpin_chat_message),
                ("createForumTopic", self._api_create_forum_topic),
                ("editForumTopic", self._api_edit_forum_topic),
                ("closeForumTopic", self._api_close_forum_topic),
                ("reopenForumTopic", self._api_reopen_forum_topic),
            )
        }

    async def start(self) -> None:
        """Bind the server; port 0 picks a free port."""
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(
            app,
            access_log=None,
            handle_signals=False,
            handler_cancellation=True,
            shutdown_timeout=1.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing = False
        self.port = int(runner.addresses[0][1])
        logger.info("Sandbox Bot API listening on http://%s", self._netloc)

    async def stop(self) -> None:
        """Release long-polling waiters and shut the server down."""
        self._closing = True
        self._stall_release.set()
        self._wake_pollers(force=True)
        self._notify()
        await self._stop_pushing()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            logger.info("Sandbox Bot API stopped")

    async def __aenter__(self) -> SandboxBotAPI:
        """Start the sandbox."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the sandbox."""
        await self.stop()

    @property
    def _netloc(self) -> str:
        """Return host:port for URLs."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Return the PTB ``base_url`` (PTB appends the token)."""
        self._require_started()
        return f"http://{self._netloc}/bot"

    @property
    def file_url(self) -> str:
        """Return the PTB ``base_file_url`` (PTB appends the token)."""
        self._require_started()
        return f"http://{self._netloc}/file/bot"

    def _require_started(self) -> None:
        """Fail when the server has not been started."""
        if self._runner is None:
            raise RuntimeError("SandboxBotAPI is not started; call `await sandbox.start()`")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        """Serve ``/bot{token}/{method}``."""
        if request.match_info["token"] != self.token:
            return error_response(401, "Unauthorized")
        name = request.match_info["method"]
        key = name.lower()
        entry = self._methods.get(key)
        try:
            params = await read_params(request)
        except ApiError as exc:
            return error_response(exc.status, exc.description)
        call = ApiCall(entry[0] if entry else name, params, time.monotonic())
        self.requests.append(call)
        polling = key == "getupdates"
        if not polling:
            self._in_flight += 1
        self._notify()
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            self._take_fault(key, params)
            stall = self._take_stall(key, params)
            result = entry[1](params)
            if asyncio.iscoroutine(result):
                result = await result
            if stall and not self._closing:
                self._stalled += 1
                self._notify()
                try:
                    await self._stall_release.wait()
                finally:
                    self._stalled -= 1
            response = json_response(200, {"ok": True, "result": result})
        except ApiError as exc:
            call.status = exc.status
            call.description = exc.description
            response = error_response(exc.status, exc.description, exc.retry_after)
        except Exception:
            logger.exception("Sandbox failed to handle %s", call.method)
            call.status = 500
            call.description = "Internal Server Error"
            response = error_response(500, "Internal Server Error")
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = time.monotonic()
            self._notify()
        logger.debug("%s -> %d", call.method, call.status)
        return response
