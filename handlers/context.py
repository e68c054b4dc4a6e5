"""The typed context every handler receives, and the settings handlers act on."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import time
from typing import Protocol, TypeAlias
from zoneinfo import ZoneInfo

from telegram.ext import CallbackContext, ExtBot

from crm.desk.floods import FloodControl
from crm.desk.topics import TopicMap, default_topics
from crm.models import AgentScope
from crm.sentiment import Analyzer, CueAnalyzer


@dataclass(frozen=True, slots=True)
class DeskSettings:
    """The deployment's choices the handlers act on; the bot's Settings extends it.

    Handlers see only these: no token, store URL or transport detail reaches them, and they
    never import the bot package to get them.
    """

    manager_ids: frozenset[int] = frozenset()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    agent_capacity: int = 5
    agent_scope: AgentScope = AgentScope.TEAM  # which tickets agents act on beyond their own
    sla_first_response_min: int = 15
    sla_resolution_hours: int = 24
    daily_summary_at: time = time(9, 0)
    default_country: str = "US"
    flood_max: int = 20
    # A customer writing this soon after the desk resolved their ticket reopens it.
    reopen_hours: int = 72


class UpdateFeed(Protocol):
    """What the error handler asks of the durable path of updates (the bot's InboxFeed)."""

    def first_try(self, update: object) -> bool:
        """Tell whether this is the update's first attempt (not a replay after a failure)."""
        ...

    def note_error(self, update: object, error: BaseException | None) -> None:
        """Remember that handling the update failed."""
        ...

    def stored(self, update: object) -> bool:
        """Tell whether the update is safe in the store (so the customer may be told so)."""
        ...


class BotData:
    """Shared, process-wide state the handlers reach through ``context.bot_data``."""

    def __init__(self) -> None:
        # Replaced by the application factory; a default keeps PTB's no-argument construction.
        self.settings: DeskSettings = DeskSettings()
        self.topics: TopicMap = default_topics()
        self.analyzer: Analyzer = CueAnalyzer()
        # Set when a campaign may have work (started, resumed): the sender looks at once
        # instead of at its next poll.
        self.campaign_wakeup: asyncio.Event = asyncio.Event()
        # Names this deployment in the shared store: job leases and the inbox rows it owns.
        # The factory sets it from the settings (stable across restarts).
        self.replica_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"
        # The durable path of updates, set by the bot's factory (None: updates are not stored).
        self.inbox_feed: UpdateFeed | None = None
        # Each person's recent input (replaced by the factory with the configured limit),
        # and the ids of updates it held, until the first handler group consumes them.
        self.floods = FloodControl(limit=self.settings.flood_max, holder=self.replica_id)
        self.held_updates: set[int] = set()

    def wake_campaign_sender(self) -> None:
        """Tell the campaign sender to look for work now."""
        self.campaign_wakeup.set()


CRMContext: TypeAlias = CallbackContext[ExtBot[None], dict, dict, BotData]
