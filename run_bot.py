"""Run the Telegram CRM desk: `python run_bot.py` (needs TELEGRAM_BOT_TOKEN) or `--demo`."""

import sys

from bot.main import main

if __name__ == "__main__":
    sys.exit(main())
