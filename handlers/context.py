"""The typed context every handler receives."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from typing import Any, TypeAlias

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.settings import Settings
from bot.telemetry import Telemetry
from crm.desk.floods import FloodControl
from crm.desk.topics import TopicMap, default_topics
from crm.sentiment import Analyzer, CueAnalyzer


class BotData:
    """Shared, process-wide state the handlers reach through ``context.bot_data``."""

    def __init__(self) -> None:
        # Replaced by the application factory; a default keeps PTB's no-argument construction.
        self.settings: Settings = Settings()
        self.topics: TopicMap = default_topics()
        self.analyzer: Analyzer = CueAnalyzer()
        self.telemetry: Telemetry = Telemetry()
        # Set when a campaign may have work (started, resumed): the sender looks at once
        # instead of at its next poll.
        self.campaign_wakeup: asyncio.Event = asyncio.Event()
        # Names this deployment in the shared store: job leases and the inbox rows it owns.
        # The factory sets it from the settings (stable across restarts).
        self.replica_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        # The durable path of updates (bot.durable.InboxFeed) and the request object that
        # fetches them (polling), set by the factory.
        self.inbox_feed: Any = None
        self.poll_request: Any = None
        self.polling_task: Any = None
        # The bot's campaign sender (bot.broadcast.CampaignSender), once the store is open.
        self.campaign_sender: Any = None
        # The Bot API HTTP clients (bot.http.AiohttpRequest), closed at shutdown.
        self.http_requests: tuple[Any, ...] = ()
        # Each person's recent input (replaced by the factory with the configured limit),
        # and the ids of updates it held, until the first handler group consumes them.
        self.floods = FloodControl(limit=self.settings.flood_max, holder=self.replica_id)
        self.held_updates: set[int] = set()

    def wake_campaign_sender(self) -> None:
        """Tell the campaign sender to look for work now."""
        self.campaign_wakeup.set()


CRMContext: TypeAlias = CallbackContext[ExtBot[None], dict, dict, BotData]


def context_types() -> ContextTypes:
    """Return the ContextTypes that make ``context.bot_data`` a BotData."""
    return ContextTypes(bot_data=BotData)
