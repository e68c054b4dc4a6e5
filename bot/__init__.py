"""Application wiring: settings, the Application factory, lifecycle, sandbox Bot API."""

import os

# Opt in to python-telegram-bot's datetime.timedelta durations (RetryAfter.retry_after and
# friends) now, instead of the deprecated int seconds and a warning on every use.
os.environ.setdefault("PTB_TIMEDELTA", "true")
