"""The typed context every handler receives."""

from __future__ import annotations

from typing import TypeAlias

from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.settings import Settings
from bot.telemetry import Telemetry
from crm.sentiment import Analyzer, CueAnalyzer
from crm.topics import TopicMap, default_topics


class BotData:
    """Shared, process-wide state the handlers reach through ``context.bot_data``."""

    def __init__(self) -> None:
        # Replaced by the application factory; a default keeps PTB's no-argument construction.
        self.settings: Settings = Settings()
        self.topics: TopicMap = default_topics()
        self.analyzer: Analyzer = CueAnalyzer()
        self.telemetry: Telemetry = Telemetry()


CRMContext: TypeAlias = CallbackContext[ExtBot[None], dict, dict, BotData]


def context_types() -> ContextTypes:
    """Return the ContextTypes that make ``context.bot_data`` a BotData."""
    return ContextTypes(bot_data=BotData)
