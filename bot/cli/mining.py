"""`crm mine` subcommands: data mining on the store (product associations).

bot/cli/commands.py adds them with ``add_commands(subparsers)`` and hands over a parsed command with
``if handles(args.command): return run(args, settings)``.
"""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import Settings
from crm.errors import CrmError
from crm.sales import associations
from crm.store import db

COMMANDS: frozenset[str] = frozenset({"mine"})


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the data-mining subcommands to the `crm` parser."""
    mine = subparsers.add_parser("mine", help="data mining on the store")
    sub = mine.add_subparsers(dest="action", required=True)
    rules = sub.add_parser(
        "associations",
        help="products bought together: rules with support, confidence, lift and an audience",
        description=(
            "Mine order lines with FP-growth; print the strongest rules (lift above 1) and, for "
            "each, the campaign audience of customers who bought one side but not the other."
        ),
    )
    rules.add_argument(
        "--min-support",
        default=str(associations.DEFAULT_MIN_SUPPORT),
        help=f"share of orders, 0.01 or 1%% (default {associations.DEFAULT_MIN_SUPPORT})",
    )
    rules.add_argument(
        "--min-confidence",
        default=str(associations.DEFAULT_MIN_CONFIDENCE),
        help=f"0.3 or 30%% (default {associations.DEFAULT_MIN_CONFIDENCE})",
    )
    rules.add_argument(
        "--limit", type=int, default=associations.DEFAULT_LIMIT, help="rules to print"
    )
    rules.add_argument(
        "--min-orders",
        type=int,
        default=associations.DEFAULT_MIN_ORDERS,
        help=f"mine only stores with this many orders (default {associations.DEFAULT_MIN_ORDERS})",
    )


def handles(command: str) -> bool:
    """Say whether a subcommand is one of these."""
    return command in COMMANDS


def run(args: argparse.Namespace, settings: Settings) -> str:
    """Run one of these subcommands; return what to print."""
    if args.command == "mine" and args.action == "associations":
        return _associations(args, settings)
    raise CrmError(f"unknown command {args.command} {getattr(args, 'action', '')}".strip())


def _associations(args: argparse.Namespace, settings: Settings) -> str:
    min_support = associations.parse_share(args.min_support, name="--min-support")
    min_confidence = associations.parse_share(args.min_confidence, name="--min-confidence")
    # Refuse bad numbers before opening (and maybe migrating) the store.
    associations.check_parameters(
        min_support=min_support,
        min_confidence=min_confidence,
        limit=args.limit,
        min_orders=args.min_orders,
    )

    async def mine() -> associations.AssociationReport:
        async with db.store_session(settings.db_url):
            return await associations.mine_associations(
                min_support=min_support,
                min_confidence=min_confidence,
                limit=args.limit,
                min_orders=args.min_orders,
            )

    return associations.render_text(asyncio.run(mine()))
