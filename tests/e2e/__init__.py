"""The real Application (or the CLI, or run_bot.py) against the sandbox Bot API."""
