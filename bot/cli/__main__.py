"""Run the `crm` command line as ``python -m bot.cli``."""

import sys

from bot.cli.commands import main

sys.exit(main())
