"""Subcommands added by the work on issue #6 (not in this commit yet)."""

from __future__ import annotations

import argparse

from bot.settings import Settings

COMMANDS: frozenset[str] = frozenset()


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's subcommands to the `crm` parser."""


def handles(command: str) -> bool:
    """Return whether the command is one of this module's."""
    return command in COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> str:
    """Run a parsed command and return what to print."""
    raise NotImplementedError(args.command)
