"""Handlers added by the work on issue #6 (not in this commit yet)."""

from __future__ import annotations

from telegram.ext import Application


def register(application: Application) -> None:
    """Add this module's handlers to the application."""
