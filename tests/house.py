"""Measure issue #16's "done means": `python -m tests.house` prints each rule, exits 1 on a failure.

It reads the source with ast and tokenize only (nothing is imported or run; tests/house_source.py
parses it and resolves names). Definitions:

* Source file: a .py under bot/, crm/ (not crm/migrations/), handlers/, bench/; run_bot.py.
* Handler: an async def python-telegram-bot calls: (a) registered in bot/ or handlers/, i.e.
  a Name/Attribute among the arguments of a call of a PTB handler class (PTB_HANDLERS),
  add_error_handler or job_queue.run_* (JOB_METHODS), also inside tuples and nested calls'
  arguments (``timed("x", leased("x", f))`` yields f, not timed or leased; lambdas skipped),
  resolved through imports (``from handlers.x import f``, ``x.f``, re-exports, relative),
  module-level and local assignments, ``for`` targets, nested defs and ``self.f``; or (b) an
  async def in handlers/ (self/cls aside) with exactly two positional parameters, the first
  annotated ``Update``, the second named ``context`` or annotated ``*Context*``.
* Handler call: an ast.Call (awaited or not) in handlers/ whose func resolves to a handler of
  another handlers/ module; handlers/router.py, the one router, may. Calls of async defs of
  (update, context, more...) of another module are listed as notes, not failed.
* Code lines of a handler: the physical lines from its first statement after the docstring to
  its end that hold a token other than a comment (so not blank or comment-only lines, the def
  line or the docstring; every line of a multi-line string). p90: nearest-rank percentile.
* ORM query in handlers/: a call of an ORM_METHODS name on a tortoise Model class (a class of
  crm/models/ deriving from *Model) imported from crm; ``.save()``, ``.delete()``,
  ``.fetch_related()``, ``.refresh_from_db()`` on anything; any ``in_transaction``; a
  tortoise import other than tortoise.exceptions, unless right under ``if TYPE_CHECKING:``.
* Import: import/from at any depth (relative ones resolved); import_module/__import__ calls
  whose first argument is a literal or an f-string with a literal start.
* Callback data: ``callback_data=`` in bot/ or handlers/ is ``<expr>.pack()`` or a name never
  bound (in its def, else at module level) to a str literal, f-string, %, + or .format(); a
  CallbackQueryHandler's pattern is ``X.pattern()``; handlers/ but callbacks.py compiles or
  matches (REGEX_CALLS) no pattern starting ``^<known prefix>:``. Known prefixes: the codec
  kinds' (``class X(CallbackData, prefix=...)``, only in handlers/callbacks.py, each prefix
  once), str constants named ``*PREFIX``, and the first word of hand-built callback data.
"""

from __future__ import annotations

import ast
import io
import math
import re
import statistics
import sys
import time
import tokenize
from collections import Counter
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

from tests.house_source import Module, Project, called, dotted, local_values, source

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("bot", "crm", "handlers", "bench")
MAX_FILE_LINES, MAX_HANDLER_LINES, P90_HANDLER_LINES = 600, 30, 20
ROUTER, CODEC = "handlers/router.py", "handlers/callbacks.py"
PTB_HANDLERS = set(  # a list literal would take a line a name
    "BusinessConnectionHandler BusinessMessagesDeletedHandler CallbackQueryHandler "  # noqa: SIM905
    "ChatBoostHandler ChatJoinRequestHandler ChatMemberHandler ChosenInlineResultHandler "
    "CommandHandler ConversationHandler InlineQueryHandler MessageHandler MessageReactionHandler "
    "PaidMediaPurchasedHandler PollAnswerHandler PollHandler PreCheckoutQueryHandler "
    "PrefixHandler ShippingQueryHandler StringCommandHandler StringRegexHandler TypeHandler "
    "add_error_handler".split()
)
JOB_METHODS = {"run_once", "run_repeating", "run_daily", "run_monthly", "run_custom"}
ORM_METHODS = set(
    "all annotate bulk_create bulk_update count create distinct earliest exclude "  # noqa: SIM905
    "exists filter first get get_or_create get_or_none in_bulk last latest only order_by "
    "prefetch_related raw select_for_update select_related update_or_create values "
    "values_list".split()
)
ORM_ON_ANYTHING = {"save", "delete", "fetch_related", "refresh_from_db"}
ALLOWED_TORTOISE = "tortoise.exceptions"
FORBIDDEN_IMPORTS = {"handlers": {"bot"}, "crm": {"bot", "handlers", "telegram"}}
REGEX_CALLS = {"re.compile", "re.match", "re.fullmatch", "re.search"}


class House(Project):
    """The project's source files and its handlers."""

    def __init__(self, root: Path = ROOT) -> None:
        files = [f for d in SOURCE_DIRS for f in (root / d).rglob("*.py")]
        super().__init__(root, [root / "run_bot.py", *files])

    @cached_property
    def handlers(self) -> dict[str, str]:
        """Return every handler's "module:qualname" and how it was found."""
        found = {}
        for m in self.under("bot", "handlers"):
            for call in ast.walk(m.tree):
                if called(call) in PTB_HANDLERS | JOB_METHODS and isinstance(call, ast.Call):
                    for key in self.refs(m, call, m.scope(call)):
                        if ":" in key and isinstance(self.function(key)[1], ast.AsyncFunctionDef):
                            found.setdefault(key, f"registered at {m.where(call)}")
        for m in self.under("handlers"):
            for qual in (q for q, fn in m.functions.items() if takes_update(m, fn, exact=True)):
                found.setdefault(f"{m.name}:{qual}", "by its signature")
        return found


def takes_update(m: Module, fn: ast.AST, *, exact: bool) -> bool:
    """Tell whether fn is an async def of (update: Update, context), exactly or then more."""
    params = [*fn.args.posonlyargs, *fn.args.args]
    params = params[1:] if isinstance(m.parents.get(fn), ast.ClassDef) else params
    if not isinstance(fn, ast.AsyncFunctionDef) or len(params) < 2:
        return False
    hints = [ast.unparse(p.annotation) if p.annotation else "" for p in params[:2]]
    context = params[1].arg == "context" or "Context" in hints[1] or "DEFAULT_TYPE" in hints[1]
    more = len(params) > 2 or fn.args.vararg or fn.args.kwarg or fn.args.kwonlyargs
    return hints[0].strip("'\"").split(".")[-1] == "Update" and context and not (exact and more)


class Result(NamedTuple):
    rule: str
    measured: str
    limit: str
    failures: list[str]
    notes: list[str]


@cache
def token_lines(m: Module) -> set[int]:
    """Return the numbers of m's lines that hold a token other than a comment."""
    ignored = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    tokens = tokenize.generate_tokens(io.StringIO(m.text).readline)
    return {n for t in tokens if t.type not in ignored for n in range(t.start[0], t.end[0] + 1)}


def code_lines(m: Module, fn: ast.AST) -> int:
    """Count fn's code lines (see the module docstring)."""
    body = fn.body[1:] if ast.get_docstring(fn, clean=False) is not None else fn.body
    if not body:
        return 0
    first = min(n.lineno for n in [body[0], *getattr(body[0], "decorator_list", [])])
    return len(token_lines(m) & set(range(first, fn.end_lineno + 1)))


def handler_lengths(house: House) -> list[tuple[int, str]]:
    """Return (code lines, "path:line qualname") of every handler, longest first."""
    rows = []
    for key in house.handlers:
        m, fn = house.function(key)
        rows.append((code_lines(m, fn), f"{m.where(fn)} {key.partition(':')[2]}"))
    return sorted(rows, key=lambda row: (-row[0], row[1]))


def p90(values: list[int]) -> int:
    return sorted(values)[math.ceil(0.9 * len(values)) - 1] if values else 0


# --- the rules: each measures the house and returns a Result -----------------------------------


def file_length(house: House) -> Result:
    """1. No source file outside crm/migrations and tests over 600 lines (bench/ counts)."""
    files = [m for m in house.modules.values() if not m.path.startswith("crm/migrations/")]
    sizes = sorted(((len(m.text.splitlines()), m.path) for m in files), reverse=True)
    over = [f"{path}: {n} lines" for n, path in sizes if n > MAX_FILE_LINES]
    aim = sum(1 for n, _ in sizes if 450 < n <= MAX_FILE_LINES)
    notes = [f"{len(sizes)} files, bench/ included; {aim} more over the aim of 450 lines"]
    return Result("1 file length", f"max {sizes[0][0]} ({sizes[0][1]})", "<= 600", over, notes)


def handler_calls(house: House) -> Result:
    """2. No module in handlers/ calls a handler defined in another handlers/ module."""
    failures, notes = [], [f"{len(house.handlers)} handlers found; {ROUTER} is exempt"]
    for m in (m for m in house.under("handlers") if m.path != ROUTER):
        for call in (n for n in ast.walk(m.tree) if isinstance(n, ast.Call)):
            for key in house.resolve(m, call.func, m.scope(call)):
                if not key.startswith("handlers.") or key.partition(":")[0] == m.name:
                    continue
                line = f"{m.where(call)} calls {key.replace(':', '.')}"
                if key in house.handlers:
                    failures.append(line)
                elif ":" in key and takes_update(*house.function(key), exact=False):
                    # A def of (update, context, more) is a handler handed an extra argument:
                    # passing an update on to it is the hidden second router this rule forbids.
                    failures.append(f"{line}, a def of (update, context, more)")
    return Result("2 handler calls", f"{len(failures)} calls", "0", failures, notes)


def orm_use(m: Module, node: ast.AST, models: set[str]) -> str:
    """Describe the ORM use node is, "" when it is none."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target, attr = dotted(m, node.func.value), node.func.attr
        model = target.rpartition(".")[2] if target.startswith("crm.") else ""
        if attr in ORM_ON_ANYTHING or (attr in ORM_METHODS and model in models):
            return f"{model}.{attr}()"
    if "in_transaction" in (getattr(node, "id", ""), getattr(node, "attr", "")):
        return "in_transaction"
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = [f"{getattr(node, 'module', '') or ''}.{a.name}".lstrip(".") for a in node.names]
        bad = [n for n in names if n.split(".")[0] == "tortoise" and ALLOWED_TORTOISE not in n]
        parent = m.parents.get(node)
        typing_only = isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test)
        return f"import {', '.join(bad)}" if bad and not typing_only else ""
    return ""


def model_classes(house: House) -> set[str]:
    """Return the names of the classes in crm/models/ that derive from tortoise's Model."""
    bases = {
        c.name: {ast.unparse(base).split(".")[-1] for base in c.bases}
        for m in house.under("crm")
        if m.name.startswith("crm.models")
        for c in m.tree.body
        if isinstance(c, ast.ClassDef)
    }
    models = {"Model"}
    while grown := {name for name, of in bases.items() if of & models} - models:
        models |= grown
    return models - {"Model"}


def no_orm(house: House) -> Result:
    """3. handlers/ makes no ORM queries; models may be imported as types."""
    models = model_classes(house)
    failures = []
    for m in house.under("handlers"):
        failures += [
            f"{m.where(n)} {use}" for n in ast.walk(m.tree) if (use := orm_use(m, n, models))
        ]
    notes = [f"allowed: {ALLOWED_TORTOISE}, tortoise imports under `if TYPE_CHECKING:`"]
    return Result("3 no ORM in handlers", f"{len(failures)} queries", "0", failures, notes)


def imports_of(m: Module):
    """Yield (node, dotted module) for every import in m, function-level and dynamic ones too."""
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Import):
            yield from ((node, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node, source(node, m.package)
        elif called(node) in ("import_module", "__import__") and node.args:
            first = node.args[0]
            first = first.values[0] if isinstance(first, ast.JoinedStr) and first.values else first
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield node, first.value


def import_direction(house: House) -> Result:
    """4. bot/ imports handlers/, crm/; handlers/ never bot/; crm/ not bot/, handlers/, telegram."""
    failures = []
    for area, forbidden in FORBIDDEN_IMPORTS.items():
        for m in house.under(area):
            failures += [
                f"{m.where(node)} {area}/ imports {name}"
                for node, name in imports_of(m)
                if name.split(".")[0] in forbidden
            ]
    return Result("4 import direction", f"{len(failures)} imports", "0", failures, [])


def handler_length(house: House) -> Result:
    """5. Handlers: the 90th percentile at most 20 code lines, none over 30."""
    rows = handler_lengths(house)
    lengths = [n for n, _ in rows]
    failures = [f"{where}: {n} lines" for n, where in rows if n > MAX_HANDLER_LINES]
    if p90(lengths) > P90_HANDLER_LINES:
        over = sum(1 for n in lengths if n > P90_HANDLER_LINES)
        failures.insert(0, f"p90 is {p90(lengths)}: {over} of {len(lengths)} handlers over 20")
    measured = f"p90 {p90(lengths)}, max {max(lengths, default=0)}"
    return Result("5 handler length", measured, "p90 <= 20, max <= 30", failures, [])


def text_of(house: House, m: Module, node: ast.AST | None, depth: int = 0) -> str:
    """Render a str expression, module constants filled in, "{?}" for anything else."""
    node = node.value if isinstance(node, ast.FormattedValue) else node
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(text_of(house, m, part, depth + 1) for part in node.values)
    if called(node) == "format":
        return text_of(house, m, node.func.value, depth + 1)
    if isinstance(node, ast.Name) and node.id in m.assigned and depth < 4:
        return text_of(house, m, m.assigned[node.id], depth + 1)
    owner, _, name = dotted(m, node).rpartition(".")
    if (there := house.modules.get(owner)) and name in there.assigned and depth < 4:
        return text_of(house, there, there.assigned[name], depth + 1)
    return "{?}"


def hand_built(node: ast.AST | None) -> bool:
    """Tell whether node builds a string by hand: a literal, an f-string, %, + or .format()."""
    literal = isinstance(node, ast.Constant) and isinstance(node.value, str)
    return literal or isinstance(node, ast.JoinedStr | ast.BinOp) or called(node) == "format"


def packed(m: Module, node: ast.AST) -> bool:
    """Tell whether callback data is ``x.pack()`` or a name never assigned a hand-built string."""
    if not isinstance(node, ast.Name):
        return called(node) == "pack"
    scope = m.scope(node)
    values = local_values(scope, node.id) if scope else None
    return not any(map(hand_built, [m.assigned.get(node.id)] if values is None else values))


def codec_kinds(house: House) -> list[tuple[str, ast.ClassDef, Module]]:
    """Return (prefix, class, module) of every ``class X(CallbackData, prefix=...)``."""
    return [
        (text_of(house, m, next((k.value for k in c.keywords if k.arg == "prefix"), None)), c, m)
        for m in house.under("bot", "handlers")
        for c in ast.walk(m.tree)
        if isinstance(c, ast.ClassDef) and "CallbackData" in map(ast.unparse, c.bases)
    ]


def hand_built_data(house: House) -> tuple[list[str], set[str]]:
    """Return hand-built callback data and patterns in bot/ and handlers/, and their prefixes."""
    failures, prefixes = [], set()
    for m in house.under("bot", "handlers"):
        prefixes |= {text_of(house, m, v) for k, v in m.assigned.items() if k.endswith("PREFIX")}
        for node in (n for n in ast.walk(m.tree) if isinstance(n, ast.Call)):
            for value in (k.value for k in node.keywords if k.arg == "callback_data"):
                if not packed(m, value):
                    failures.append(f"{m.where(node)} callback_data={ast.unparse(value)}")
                    prefixes.add(text_of(house, m, value).partition(":")[0])
            if called(node) != "CallbackQueryHandler":
                continue
            for pattern in [k.value for k in node.keywords if k.arg == "pattern"] or node.args[1:2]:
                if called(pattern) != "pattern":
                    failures.append(f"{m.where(node)} pattern={ast.unparse(pattern)}")
    return failures, {p for p in prefixes if re.fullmatch(r"\w+", p)}


def callback_codec(house: House) -> Result:
    """6. Every callback-data string is built and parsed by one codec (handlers/callbacks.py)."""
    kinds = codec_kinds(house)
    failures, prefixes = hand_built_data(house)
    prefixes |= {p for p, _, _ in kinds}
    for m in (m for m in house.under("handlers") if m.path != CODEC):
        for node in ast.walk(m.tree):
            if dotted(m, getattr(node, "func", None)) in REGEX_CALLS and node.args:
                found = re.match(r"\^(\w+):", text_of(house, m, node.args[0]))
                if found and found[1] in prefixes:
                    failures.append(f"{m.where(node)} regex {ast.unparse(node.args[0])}")
    repeated = [p for p, n in Counter(p for p, _, _ in kinds).items() if n > 1]
    failures += [f"prefix {p!r} is the prefix of several kinds" for p in repeated]
    failures += [
        f"{m.where(c)} kind {c.name} outside {CODEC}" for _, c, m in kinds if m.path != CODEC
    ]
    listed = ", ".join(f"{c.name}({p!r})" for p, c, _ in kinds) or "none"
    notes = [f"codec kinds: {listed}", f"known prefixes: {', '.join(sorted(prefixes))}"]
    return Result("6 callback-data codec", f"{len(failures)} hand-built", "0", failures, notes)


RULES = (file_length, handler_calls, no_orm, import_direction, handler_length, callback_codec)


def render(results: list[Result]) -> str:
    """Return the table of results, then each rule's notes and failures."""
    rows = [("rule", "measured", "limit", "result")]
    rows += [(r.rule, r.measured, r.limit, "FAIL" if r.failures else "pass") for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in results:
        lines += ["", f"{r.rule}: {'FAIL' if r.failures else 'pass'}"]
        lines += [f"  note: {note}" for note in r.notes] + [f"  - {f}" for f in r.failures]
    return "\n".join(line.rstrip() for line in lines)


def distribution(house: House) -> str:
    """Return the handler-length distribution and the 10 longest handlers."""
    rows = handler_lengths(house)
    lengths = [n for n, _ in rows] or [0]
    head = f"handler length in code lines: count {len(rows)}, median {statistics.median(lengths):g}"
    head += f", p90 {p90(lengths)}, max {max(lengths)}; the 10 longest:"
    return "\n".join([head, *(f"  {n:4d}  {where}" for n, where in rows[:10])])


def main() -> int:
    started = time.perf_counter()
    house = House(ROOT)
    results = [rule(house) for rule in RULES]
    print(render(results), distribution(house), sep="\n\n")
    print(f"\n{len(house.modules)} files read in {time.perf_counter() - started:.2f} s")
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
