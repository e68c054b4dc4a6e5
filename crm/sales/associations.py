"""Products bought together: frequent itemsets and association rules mined from order lines.

A basket is an order; its items are product keys. A product key is the product's SKU when
the order line points at a product, otherwise the line's own product name (trimmed, runs of
whitespace collapsed). Keys are compared ignoring case, as ``bought:`` audiences match them,
so "Oat Milk" and "oat milk" are one item, spelled as most lines spell it.

Rules come from mlxtend's FP-growth and ``association_rules``:

* support(A → B) = share of orders holding A and B together;
* confidence(A → B) = support(A and B) / support(A);
* lift(A → B) = confidence(A → B) / support(B), above 1 when A makes B likelier.

Every order with at least one product counts in the denominators, single-item orders too.
Order status is not filtered, as in the sales report: refunds and cancellations count.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth
from scipy import sparse
from tortoise.expressions import Q
from tortoise.functions import Coalesce, Trim

from crm.errors import InvalidInput
from crm.i18n import DEFAULT_LANGUAGE, Phrase, t, term
from crm.models import OrderLine, Product

DEFAULT_MIN_SUPPORT = 0.01
DEFAULT_MIN_CONFIDENCE = 0.3
DEFAULT_LIMIT = 20
# Fewer orders than this give rules that are anecdotes, not patterns.
DEFAULT_MIN_ORDERS = 20
MAX_LIMIT = 200
# Products in one itemset (antecedents and consequents together): bounds FP-growth's work
# and keeps every rule short enough to act on.
MAX_ITEMS = 4
# An itemset seen in a single order is a coincidence, whatever the support threshold says.
MIN_BASKETS = 2
# crm.marketing.audiences refuses longer specs.
MAX_AUDIENCE = 255
# Lift and confidence are ratios of floats: 0.3 must not fail ">= 0.3", nor 1.0000000001 pass
# "> 1".
_EPSILON = 1e-9
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """Customers who buy the antecedents tend to buy the consequents too."""

    antecedents: tuple[str, ...]  # product keys, sorted
    consequents: tuple[str, ...]
    support: float
    confidence: float
    lift: float
    antecedent_names: tuple[str, ...] = ()  # display names, in the order of the keys
    consequent_names: tuple[str, ...] = ()

    @property
    def audience(self) -> str | None:
        """Return the campaign audience for this rule, or None when a key cannot be written."""
        try:
            return rule_audience(self)
        except InvalidInput:
            return None


@dataclass(slots=True)
class AssociationReport:
    """What mining found: the strongest rules, or why there are none."""

    orders: int  # orders with at least one product: the support denominator
    products: int  # distinct product keys in those orders
    min_support: float
    min_confidence: float
    min_orders_together: int = MIN_BASKETS  # min_support as a number of orders
    rules: list[Rule] = field(default_factory=list)
    reason: str | None = None  # set when rules is empty, in English
    why: Phrase | None = None  # the same, in any language

    def explain(self, why: Phrase) -> None:
        """Say why there are no rules."""
        self.why, self.reason = why, why.render(DEFAULT_LANGUAGE)


# --- parameters --------------------------------------------------------------------------------


def parse_share(raw: str, *, name: str) -> float:
    """Parse a share written as 0.02 or 2%; range checks are the miner's."""
    match = _PERCENT.match(raw)
    if match is None:
        label = term(f"staff.mining.{name}", name)
        raise InvalidInput.of("staff.err.share", name=label, raw=raw)
    value = float(match[1])
    return value / 100 if match[2] else value


def check_parameters(
    *, min_support: float, min_confidence: float, limit: int, min_orders: int
) -> None:
    """Refuse mining parameters outside their ranges, saying which and why."""
    if not (isinstance(min_support, int | float) and 0 < min_support <= 1):
        raise InvalidInput.of("staff.err.support_range", value=min_support)
    if not (isinstance(min_confidence, int | float) and 0 <= min_confidence <= 1):
        raise InvalidInput.of("staff.err.confidence_range", value=min_confidence)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput.of("staff.err.rules_range", most=MAX_LIMIT, value=limit)
    if min_orders < 1:
        raise InvalidInput.of("staff.err.min_orders", value=min_orders)


# --- mining ------------------------------------------------------------------------------------


async def mine_associations(
    *,
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    limit: int = DEFAULT_LIMIT,
    min_orders: int = DEFAULT_MIN_ORDERS,
) -> AssociationReport:
    """Mine the order lines for the strongest rules with lift above 1, strongest first."""
    check_parameters(
        min_support=min_support, min_confidence=min_confidence, limit=limit, min_orders=min_orders
    )
    pairs = await load_basket_pairs()
    # FP-growth is seconds of CPU on a large store: off the event loop.
    report = await asyncio.to_thread(
        find_rules,
        pairs,
        min_support=min_support,
        min_confidence=min_confidence,
        limit=limit,
        min_orders=min_orders,
    )
    return await _with_product_names(report)


async def load_basket_pairs() -> list[tuple[int, str]]:
    """Return (order id, product key) pairs of every order line, duplicates removed."""
    # One query, two narrow columns; the key is computed by the database. Whitespace runs
    # and case are folded later, in find_rules, the same way on SQLite and PostgreSQL.
    return await (
        OrderLine.annotate(key=Coalesce("product__sku", Trim("product_name")))
        .distinct()
        .values_list("order_id", "key")
    )


def find_rules(
    pairs: Iterable[tuple[object, str | None]],
    *,
    min_support: float = DEFAULT_MIN_SUPPORT,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    limit: int = DEFAULT_LIMIT,
    min_orders: int = DEFAULT_MIN_ORDERS,
) -> AssociationReport:
    """Mine (order, product key) pairs for rules with lift above 1, strongest first."""
    check_parameters(
        min_support=min_support, min_confidence=min_confidence, limit=limit, min_orders=min_orders
    )
    orders, items, keys = _baskets(pairs)
    n_orders = int(orders.max()) + 1 if len(orders) else 0
    report = AssociationReport(
        orders=n_orders,
        products=len(keys),
        min_support=min_support,
        min_confidence=min_confidence,
    )
    if n_orders == 0:
        report.explain(Phrase("staff.mining.no_orders"))
        return report
    if n_orders < min_orders:
        report.explain(Phrase("staff.mining.too_few", orders=n_orders, least=min_orders))
        return report
    min_count = max(MIN_BASKETS, math.ceil(min_support * n_orders - _EPSILON))
    report.min_orders_together = min_count
    # Only products frequent on their own can be in a frequent itemset. mlxtend densifies the
    # frame once to count items (DataFrame.values), so the rare ones are left out before:
    # the matrix keeps a row per order, empty rows included, for the denominators.
    counts = np.bincount(items, minlength=len(keys))
    frequent = np.flatnonzero(counts >= min_count)
    if len(frequent) < 2:
        report.explain(_nothing_frequent(min_count, n_orders))
        return report
    column = np.full(len(keys), -1)
    column[frequent] = np.arange(len(frequent))
    kept = column[items] >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(kept.sum()), dtype=bool), (orders[kept], column[items[kept]])),
        shape=(n_orders, len(frequent)),
    )
    onehot = pd.DataFrame.sparse.from_spmatrix(matrix, columns=[keys[i] for i in frequent])
    # fpgrowth rounds min_support * n up to a count; half an order below the count we mean
    # keeps float error (0.3 * 10 = 3.0000000000000004) from asking for one order more.
    itemsets = fpgrowth(
        onehot, min_support=(min_count - 0.5) / n_orders, use_colnames=True, max_len=MAX_ITEMS
    )
    if not len(itemsets) or itemsets["itemsets"].map(len).max() < 2:
        report.explain(_nothing_frequent(min_count, n_orders))
        return report
    found = association_rules(
        itemsets,
        num_itemsets=n_orders,
        metric="confidence",
        min_threshold=max(min_confidence - _EPSILON, 0.0),
        return_metrics=["support", "confidence", "lift"],
    )
    found = found[found["lift"] > 1 + _EPSILON]
    if not len(found):
        report.explain(
            Phrase("staff.mining.no_confident_rule", confidence=_percent(min_confidence))
        )
        return report
    rules = [
        Rule(
            antecedents=tuple(sorted(ante, key=str.casefold)),
            consequents=tuple(sorted(cons, key=str.casefold)),
            support=float(support),
            confidence=float(confidence),
            lift=float(lift),
        )
        for ante, cons, support, confidence, lift in zip(
            found["antecedents"],
            found["consequents"],
            found["support"],
            found["confidence"],
            found["lift"],
            strict=True,
        )
    ]
    rules.sort(
        key=lambda r: (
            -round(r.lift, 9),
            -round(r.confidence, 9),
            -round(r.support, 9),
            [k.casefold() for k in r.antecedents],
            [k.casefold() for k in r.consequents],
        )
    )
    report.rules = [
        replace(r, antecedent_names=r.antecedents, consequent_names=r.consequents)
        for r in rules[:limit]
    ]
    return report


def _nothing_frequent(min_count: int, n_orders: int) -> Phrase:
    support = _percent(min_count / n_orders)
    return Phrase("staff.mining.nothing_frequent", count=min_count, support=support)


def _baskets(
    pairs: Iterable[tuple[object, str | None]],
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return (order row, item column, keys): one entry per distinct item of an order.

    Order rows and item columns are codes from 0; keys[column] is the item's product key.
    """
    frame = pd.DataFrame(list(pairs), columns=["order", "raw"], dtype=object)
    # Spelling is tidied once per distinct raw key (hundreds), not once per line (100,000s).
    spelled = {raw: " ".join(str(raw).split()) for raw in frame["raw"].dropna().unique()}
    frame = frame.assign(key=frame["raw"].map(spelled).fillna(""))
    frame = frame[frame["key"] != ""]
    if not len(frame):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), []
    frame = frame.assign(fold=frame["key"].map({k: k.casefold() for k in set(spelled.values())}))
    # Each item is spelled as most of its lines spell it (ties: the first in sort order).
    spellings = (
        frame.groupby(["fold", "key"], sort=False)
        .size()
        .reset_index(name="n")
        .sort_values(["n", "key"], ascending=[False, True], kind="stable")
        .drop_duplicates("fold")
    )
    spelling = dict(zip(spellings["fold"], spellings["key"], strict=True))
    frame = frame.drop_duplicates(["order", "fold"])
    items, folds = pd.factorize(frame["fold"], sort=True)
    orders = pd.factorize(frame["order"])[0]
    return orders, items, [spelling[fold] for fold in folds]


async def _with_product_names(report: AssociationReport) -> AssociationReport:
    """Name each SKU in the rules after its product; other keys are names already."""
    keys = {key for rule in report.rules for key in (*rule.antecedents, *rule.consequents)}
    if not keys:
        return report
    names = {
        sku.casefold(): name
        for sku, name in await Product.filter(sku__in=sorted(keys)).values_list("sku", "name")
        if name
    }

    def named(keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(names.get(key.casefold(), key) for key in keys)

    report.rules = [
        replace(
            rule,
            antecedent_names=named(rule.antecedents),
            consequent_names=named(rule.consequents),
        )
        for rule in report.rules
    ]
    return report


# --- audiences ---------------------------------------------------------------------------------


def rule_audience(rule: Rule) -> str:
    """Return the audience of customers who bought the antecedents but none of the consequents.

    Keys that would read as audience syntax (an ``&`` anywhere, a leading ``!``) are refused
    with InvalidInput rather than escaped: the audience grammar has no escapes, and such SKUs
    are rare enough that a manager can target them by hand.
    """
    for key in (*rule.antecedents, *rule.consequents):
        if "&" in key or key.startswith("!"):
            raise InvalidInput.of("staff.err.key_in_audience", key=key)
    spec = " & ".join(
        [
            *(f"bought:{key}" for key in rule.antecedents),
            *(f"!bought:{key}" for key in rule.consequents),
        ]
    )
    if len(spec) > MAX_AUDIENCE:
        raise InvalidInput.of("staff.err.audience_too_long_for_rule", most=MAX_AUDIENCE)
    return spec


async def customers_who_bought(*, product: str) -> set[int]:
    """Return the ids of customers with an order line for the product key (SKU or line name)."""
    key = " ".join(product.split())
    if not key:
        raise InvalidInput.of("staff.err.name_a_product")
    # One query in the usual case; the store is asked again only to explain an empty answer.
    buyers = (
        await OrderLine.annotate(line_name=Trim("product_name"))
        .filter(Q(product__sku__iexact=key) | Q(product_id=None, line_name__iexact=key))
        .distinct()
        .values_list("order__customer_id", flat=True)
    )
    if buyers:
        return set(buyers)
    if await Product.filter(sku__iexact=key).exists():
        return set()  # a real product nobody has bought yet
    skus = await Product.filter(name__iexact=key).order_by("sku").values_list("sku", flat=True)
    if skus:
        # Lines of catalogue products are matched by SKU: say which, rather than match nobody.
        listed = ", ".join(f"bought:{sku}" for sku in skus[:3])
        raise InvalidInput.of("staff.err.product_name_not_sku", key=key, listed=listed)
    raise InvalidInput.of("staff.err.unknown_product", key=key)


# --- rendering ---------------------------------------------------------------------------------


def _percent(share: float) -> str:
    """Format a share as a short percentage: 0.01 -> 1%, 0.005 -> 0.5%."""
    return f"{share * 100:.3g}%"


def summary(report: AssociationReport, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the report's headline: what was mined, with which thresholds."""
    return t(
        "staff.mining.summary",
        lang,
        orders=f"{report.orders:,}",
        products=f"{report.products:,}",
        support=_percent(report.min_support),
        confidence=_percent(report.min_confidence),
    )


def describe_rule(rule: Rule, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return one rule as a line: names, support, confidence and lift."""
    return t(
        "staff.mining.rule",
        lang,
        antecedents=" + ".join(rule.antecedent_names or rule.antecedents),
        consequents=" + ".join(rule.consequent_names or rule.consequents),
        support=f"{rule.support:.1%}",
        confidence=f"{rule.confidence:.0%}",
        lift=f"{rule.lift:.2f}",
    )


NO_AUDIENCE = t("staff.mining.no_audience")


def render_text(report: AssociationReport) -> str:
    """Render the report as plain text: the headline, then each rule and its audience."""
    lines = [summary(report)]
    if not report.rules:
        reason = report.reason or "no rules found"
        return "\n".join([*lines, f"No rules: {reason}."])
    for number, rule in enumerate(report.rules, start=1):
        lines.append(f"{number}. {describe_rule(rule)}")
        audience = rule.audience
        lines.append(f"   audience: {audience}" if audience else f"   {NO_AUDIENCE}")
    return "\n".join(lines)
