"""The `crm` command line: the same services as the bot, driven from a terminal.

One module per command group (records, segments, mining, campaigns), the insight report's
plain-text rendering, the doctor, and the core commands that wire them (commands).
"""

from bot.cli.commands import main

__all__ = ["main"]
