"""Products bought together: rules from baskets, their audiences, the CLI and /associations."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

from bot import cli
from crm.errors import InvalidInput
from crm.models import Role, Ticket
from crm.sales import associations
from crm.sales.associations import Rule, customers_who_bought, find_rules, rule_audience
from crm.store import db
from handlers.auth import REFUSAL
from tests.factories import make_basket, make_customer, make_product
from tests.harness import MANAGER_ID, Desk


def pairs(baskets: list[list[str]]) -> list[tuple[int, str]]:
    """Turn baskets into the (order, product key) pairs the store gives the miner."""
    return [(order, item) for order, basket in enumerate(baskets) for item in basket]


# Ten orders, worked by hand:
#   bread 4/10, butter 4/10, bag 8/10 (nearly every order), milk 1/10 (a single-item order);
#   bread+butter 3, bread+bag 3, butter+bag 3, bread+butter+bag 2.
BAKERY = [
    ["bread", "butter", "bag"],
    ["bread", "butter", "bag"],
    ["bread", "butter"],
    ["bread", "bag"],
    ["butter", "bag"],
    ["bag"],
    ["bag"],
    ["bag"],
    ["bag"],
    ["milk"],
]


def rule_of(report, antecedents: tuple[str, ...], consequents: tuple[str, ...]) -> Rule:
    (rule,) = [
        r for r in report.rules if (r.antecedents, r.consequents) == (antecedents, consequents)
    ]
    return rule


# --- pure: mining crafted baskets ----------------------------------------------------------------


def test_bread_butter_rule_has_the_hand_computed_support_confidence_and_lift() -> None:
    report = find_rules(pairs(BAKERY), min_support=0.2, min_confidence=0.3, min_orders=1)

    assert (report.orders, report.products, report.min_orders_together) == (10, 4, 2)
    rule = rule_of(report, ("bread",), ("butter",))
    assert rule.support == pytest.approx(0.3)  # 3 of 10 orders
    assert rule.confidence == pytest.approx(0.75)  # 3 of the 4 bread orders
    assert rule.lift == pytest.approx(0.75 / 0.4)  # butter alone: 4 of 10
    # The three-item rules, strongest first after the pair rules (lift 1.875).
    assert [(r.antecedents, r.consequents) for r in report.rules] == [
        (("bread",), ("butter",)),
        (("butter",), ("bread",)),
        (("bag", "bread"), ("butter",)),  # 2/3 confidence, lift (2/3)/0.4
        (("bag", "butter"), ("bread",)),
        (("bread",), ("bag", "butter")),  # 2/4 confidence, lift 0.5/0.3
        (("butter",), ("bag", "bread")),
    ]
    assert rule_of(report, ("bag", "bread"), ("butter",)).lift == pytest.approx((2 / 3) / 0.4)
    assert report.reason is None


def test_rules_with_lift_at_or_below_one_are_dropped() -> None:
    report = find_rules(pairs(BAKERY), min_support=0.2, min_confidence=0.3, min_orders=1)

    found = {(r.antecedents, r.consequents) for r in report.rules}
    # bread → bag: support 0.3 and confidence 0.75 pass, but lift 0.75 / 0.8 < 1 (bags go
    # with everything), so it is no pattern.
    assert (("bread",), ("bag",)) not in found
    assert (("bag",), ("bread",)) not in found
    assert (("bread", "butter"), ("bag",)) not in found  # lift (2/3) / 0.8
    assert all(r.lift > 1 for r in report.rules)
    # Exactly independent: a → b with lift 1.0 is dropped too.
    independent = [["a", "b"], ["a"], ["b"], ["c"]] * 3
    assert find_rules(pairs(independent), min_support=0.1, min_orders=1).rules == []


def test_single_item_orders_count_in_the_support_denominator() -> None:
    baskets = BAKERY + [["milk"]] * 10

    report = find_rules(pairs(baskets), min_support=0.1, min_confidence=0.3, min_orders=1)

    rule = rule_of(report, ("bread",), ("butter",))
    assert report.orders == 20
    assert rule.support == pytest.approx(3 / 20)
    assert rule.confidence == pytest.approx(0.75)
    assert rule.lift == pytest.approx(0.75 / (4 / 20))


def test_support_confidence_and_limit_filter_and_cut() -> None:
    strict = find_rules(pairs(BAKERY), min_support=0.3, min_confidence=0.7, min_orders=1)
    assert [(r.antecedents, r.consequents) for r in strict.rules] == [
        (("bread",), ("butter",)),
        (("butter",), ("bread",)),
    ]
    assert strict.min_orders_together == 3
    # 7% of 100 orders is 7 orders, though 0.07 * 100 is 7.000000000000001 in floats.
    seven = [["a", "b"]] * 7 + [["z"]] * 93
    exact = find_rules(pairs(seven), min_support=0.07, min_confidence=0.5, min_orders=1)
    assert [(r.antecedents, r.support) for r in exact.rules] == [(("a",), 0.07), (("b",), 0.07)]
    confident = find_rules(pairs(BAKERY), min_support=0.2, min_confidence=0.6, min_orders=1)
    assert sorted({round(r.confidence, 6) for r in confident.rules}) == [0.666667, 0.75]
    top = find_rules(pairs(BAKERY), min_support=0.2, limit=1, min_orders=1)
    assert [(r.antecedents, r.consequents) for r in top.rules] == [(("bread",), ("butter",))]


def test_an_item_counts_once_per_order_whatever_its_case_or_spacing() -> None:
    lines = [
        *[(order, "Oat Milk") for order in range(3)],
        (0, " oat  milk "),  # the same product on a second line of order 0
        (1, "OAT MILK"),
        *[(order, "Granola") for order in range(3)],
        (3, "Granola"),
        (4, "Tea"),
        (5, None),  # a line with neither product nor name is no item
        (5, "   "),
    ]

    report = find_rules(lines, min_support=0.1, min_confidence=0.1, min_orders=1)

    assert (report.orders, report.products) == (5, 3)
    rule = rule_of(report, ("Oat Milk",), ("Granola",))  # spelled as most lines spell it
    assert rule.support == pytest.approx(3 / 5)
    assert rule.confidence == pytest.approx(1.0)
    assert rule.lift == pytest.approx(1 / (4 / 5))


def test_empty_reports_say_why() -> None:
    nothing = find_rules([], min_orders=1)
    assert (nothing.orders, nothing.rules) == (0, [])
    assert "no orders with products yet" in (nothing.reason or "")

    few = find_rules(pairs(BAKERY), min_orders=11)
    assert few.rules == [] and few.reason == (
        "only 10 order(s) with products; rules need at least 11 orders to mean anything"
    )

    rare = find_rules(pairs(BAKERY), min_support=0.5, min_orders=1)
    assert rare.rules == []
    assert rare.reason == (
        "no two products are bought together in 5 or more orders (support 50%); "
        "try a lower min_support"
    )
    # A pair seen in one order is a coincidence even when 1% of 10 orders asks for less.
    # (x and y are each in two orders, so they pass alone; together they would have lift 1.5.)
    once = find_rules(
        pairs([["x", "y"], ["x"], ["y"], ["z"], ["z"], ["z"]]), min_support=0.01, min_orders=1
    )
    assert once.rules == [] and once.min_orders_together == 2

    unsure = find_rules(pairs(BAKERY), min_support=0.2, min_confidence=0.9, min_orders=1)
    assert unsure.rules == [] and "no rule reaches 90% confidence" in (unsure.reason or "")
    assert "No rules: no rule reaches 90% confidence" in associations.render_text(unsure)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"min_support": 0}, "support must be above 0 and at most 1"),
        ({"min_support": 1.5}, "support must be above 0 and at most 1"),
        ({"min_support": math.nan}, "support must be above 0 and at most 1"),
        ({"min_confidence": -0.1}, "confidence must be from 0 to 1"),
        ({"min_confidence": 2}, "confidence must be from 0 to 1"),
        ({"limit": 0}, "the number of rules must be from 1 to 200"),
        ({"min_orders": 0}, "the minimum number of orders must be at least 1"),
    ],
)
def test_parameters_out_of_range_are_refused(parameters: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        find_rules(pairs(BAKERY), **parameters)


def test_shares_are_read_as_fractions_or_percentages() -> None:
    assert associations.parse_share("0.02", name="support") == pytest.approx(0.02)
    assert associations.parse_share(" 2.5% ", name="support") == pytest.approx(0.025)
    assert associations.parse_share(".3", name="confidence") == pytest.approx(0.3)
    for bad in ("abc", "-1", "1e-3", "2 %%", ""):
        with pytest.raises(InvalidInput, match="confidence must be a number like"):
            associations.parse_share(bad, name="confidence")


def test_the_text_report_lists_rules_with_their_audiences() -> None:
    report = find_rules(pairs(BAKERY), min_support=0.2, min_confidence=0.7, min_orders=1)

    text = associations.render_text(report)

    assert text.splitlines() == [
        "Product associations in 10 order(s) of 4 product(s) · support ≥ 20% · confidence ≥ 70%",
        "1. bread → butter  support 30.0% · confidence 75% · lift 1.88",
        "   audience: bought:bread & !bought:butter",
        "2. butter → bread  support 30.0% · confidence 75% · lift 1.88",
        "   audience: bought:butter & !bought:bread",
    ]


# --- pure: audiences -------------------------------------------------------------------------


def test_the_audience_is_the_antecedents_bought_and_the_consequents_not() -> None:
    rule = Rule(("A", "C"), ("B",), support=0.1, confidence=0.5, lift=2.0)
    assert rule_audience(rule) == "bought:A & bought:C & !bought:B"
    assert rule.audience == "bought:A & bought:C & !bought:B"
    bundle = Rule(("SKU-1",), ("oat milk", "SKU-2"), support=0.1, confidence=0.5, lift=2.0)
    assert rule_audience(bundle) == "bought:SKU-1 & !bought:oat milk & !bought:SKU-2"


def test_the_audience_reads_back_as_the_same_rules() -> None:
    from crm.marketing.audiences import describe_audience, parse_audience

    spec = rule_audience(Rule(("A-1", "tea: green"), ("B",), support=0.1, confidence=1, lift=2))
    parsed = parse_audience(spec)
    assert [(r.kind, r.value, r.negated) for r in parsed] == [
        ("bought", "A-1", False),
        ("bought", "tea: green", False),
        ("bought", "B", True),
    ]
    assert describe_audience(parsed) == spec


@pytest.mark.parametrize("key", ["Salt & Pepper", "R&D-KIT", "!BANG"])
def test_keys_that_read_as_audience_syntax_get_no_audience(key: str) -> None:
    rule = Rule(("SAFE",), (key,), support=0.1, confidence=0.5, lift=2.0)
    with pytest.raises(InvalidInput, match="cannot be used in an audience"):
        rule_audience(rule)
    assert rule.audience is None
    report = associations.AssociationReport(
        orders=10, products=2, min_support=0.1, min_confidence=0.3, rules=[rule]
    )
    assert associations.render_text(report).splitlines()[-1] == (f"   {associations.NO_AUDIENCE}")


def test_an_audience_too_long_for_a_campaign_is_refused() -> None:
    keys = tuple(f"{letter * 60}" for letter in "ABCD")
    with pytest.raises(InvalidInput, match="over 255 characters"):
        rule_audience(Rule(keys[:3], keys[3:], support=0.1, confidence=0.5, lift=2.0))


# --- the store -------------------------------------------------------------------------------


async def test_customers_who_bought_matches_sku_or_line_name_ignoring_case(store) -> None:
    coffee = await make_product("COF-1", "Coffee")
    milk = await make_product("MLK-1", "Milk")
    ann, bob, cat, dan = [await make_customer(name) for name in ("Ann", "Bob", "Cat", "Dan")]
    await make_basket(ann, coffee, milk)
    await make_basket(ann, coffee)  # a second order: Ann still counts once
    await make_basket(bob, coffee, "Oat Cookies ")  # a line known only by its name
    await make_basket(cat, milk, "oat cookies")
    await make_basket(dan, "Tea")

    assert await customers_who_bought(product="COF-1") == {ann.id, bob.id}
    assert await customers_who_bought(product="  cof-1 ") == {ann.id, bob.id}
    assert await customers_who_bought(product="OAT  COOKIES") == {bob.id, cat.id}
    assert await customers_who_bought(product="mlk-1") == {ann.id, cat.id}
    await make_product("NEW-1", "Not sold yet")
    assert await customers_who_bought(product="new-1") == set()


async def test_customers_who_bought_refuses_unknown_products(store) -> None:
    coffee = await make_product("COF-1", "Coffee")
    await make_basket(await make_customer("Ann"), coffee, "Tea")

    with pytest.raises(InvalidInput, match="unknown product 'COF-2'"):
        await customers_who_bought(product="COF-2")
    with pytest.raises(InvalidInput, match="name a product"):
        await customers_who_bought(product="  ")
    # A catalogue product's name is not its key: say which SKU to use instead of matching nobody.
    with pytest.raises(InvalidInput, match=r"'coffee' is a product name.*bought:COF-1"):
        await customers_who_bought(product="coffee")


async def test_mining_the_store_names_products_and_targets_the_right_customers(store) -> None:
    coffee = await make_product("COF-1", "Coffee")
    milk = await make_product("MLK-1", "Milk <whole>")
    people = [await make_customer(f"Customer {n}") for n in range(10)]
    # Coffee 6/10 (4 with milk), milk 4/10 (all with coffee), a name-only cookie 3/10.
    for person in people[:4]:
        await make_basket(person, coffee, milk)
    await make_basket(people[4], coffee, "Cookies")
    await make_basket(people[5], coffee, coffee, "cookies")  # two coffee lines: one item
    await make_basket(people[6], "COOKIES")
    for person in people[7:]:
        await make_basket(person, "Water")

    report = await associations.mine_associations(
        min_support=0.3, min_confidence=0.5, min_orders=10
    )

    assert (report.orders, report.products) == (10, 4)
    assert [(r.antecedents, r.consequents) for r in report.rules] == [
        (("MLK-1",), ("COF-1",)),  # confidence 1, lift 1 / 0.6
        (("COF-1",), ("MLK-1",)),  # confidence 4/6, lift (4/6) / 0.4
    ]
    milk_coffee = report.rules[0]
    assert (milk_coffee.support, milk_coffee.confidence) == (pytest.approx(0.4), 1.0)
    assert milk_coffee.lift == pytest.approx(1 / 0.6)
    assert milk_coffee.antecedent_names == ("Milk <whole>",)
    assert milk_coffee.consequent_names == ("Coffee",)
    # The audience of coffee → milk: coffee buyers without milk, i.e. customers 4 and 5.
    coffee_milk = report.rules[1]
    assert coffee_milk.audience == "bought:COF-1 & !bought:MLK-1"
    bought = await customers_who_bought(product="COF-1")
    assert bought - await customers_who_bought(product="MLK-1") == {people[4].id, people[5].id}

    too_few = await associations.mine_associations(min_orders=11)
    assert too_few.rules == [] and too_few.reason is not None and "only 10" in too_few.reason
    with pytest.raises(InvalidInput, match="support must be above 0"):
        await associations.mine_associations(min_support=0)


async def test_mining_an_empty_store_explains_itself(store) -> None:
    report = await associations.mine_associations()
    assert (report.orders, report.products, report.rules) == (0, 0, [])
    assert associations.render_text(report).endswith(
        "No rules: there are no orders with products yet: import some orders first."
    )


# --- the command line ------------------------------------------------------------------------


async def _fill_coffee_store(url: str) -> None:
    await db.open_store(url)
    try:
        coffee = await make_product("COF-1", "Coffee")
        milk = await make_product("MLK-1", "Milk")
        for n in range(24):
            person = await make_customer(f"Customer {n}")
            items = [coffee, milk] if n < 8 else [coffee] if n < 12 else ["Water"]
            await make_basket(person, *items)
    finally:
        await db.close_store()


def test_crm_mine_associations_prints_rules_and_audiences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite://{tmp_path / 'crm.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRM_DB_URL", url)
    asyncio.run(_fill_coffee_store(url))

    code = cli.main(["mine", "associations", "--min-support", "10%", "--min-confidence", "0.5"])

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out == [
        "Product associations in 24 order(s) of 3 product(s) · support ≥ 10% · confidence ≥ 50%",
        "1. Milk → Coffee  support 33.3% · confidence 100% · lift 2.00",
        "   audience: bought:MLK-1 & !bought:COF-1",
        "2. Coffee → Milk  support 33.3% · confidence 67% · lift 2.00",
        "   audience: bought:COF-1 & !bought:MLK-1",
    ]
    assert cli.main(["mine", "associations", "--limit", "1"]) == 0
    assert capsys.readouterr().out.count("audience:") == 1


def test_crm_mine_associations_refuses_bad_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRM_DB_URL", f"sqlite://{tmp_path / 'crm.db'}")

    assert cli.main(["mine", "associations", "--min-support", "150%"]) == 1
    assert capsys.readouterr().err.startswith("error: support must be above 0 and at most 1")
    assert cli.main(["mine", "associations", "--min-confidence", "lots"]) == 1
    assert "--min-confidence must be a number like 0.02 or 2%" in capsys.readouterr().err
    assert not (tmp_path / "crm.db").exists()  # refused before the store was opened


# --- Telegram, end to end --------------------------------------------------------------------


@pytest.mark.e2e
async def test_a_manager_gets_rules_with_audiences_and_a_customer_is_refused(desk: Desk) -> None:
    maya = desk.sandbox.user(MANAGER_ID, "Maya")
    carol = desk.customer(501, "Carol")
    reply = await desk.send_text(maya, "/associations")
    assert (reply.plain_text or "").endswith(
        "No rules: there are no orders with products yet: import some orders first."
    )

    tea = await make_product("TEA-1", "Tea <Earl Grey>")
    lemon = await make_product("LEM-1", "Lemon")
    for n in range(24):
        person = await make_customer(f"Customer {n}")
        items = [tea, lemon] if n < 6 else [tea] if n < 12 else ["Salt & Pepper", "Bread"]
        await make_basket(person, *items)

    reply = await desk.send_text(maya, "/associations 20% 40%")

    assert reply.parse_mode == "HTML"
    text = reply.plain_text or ""
    assert text.startswith(
        "Product associations in 24 order(s) of 4 product(s) · support ≥ 20% · confidence ≥ 40%"
    )
    assert "Lemon → Tea <Earl Grey>  support 25.0% · confidence 100% · lift 2.00" in text
    assert "Audience: bought:LEM-1 & !bought:TEA-1" in text
    assert "Tea <Earl Grey> → Lemon  support 25.0% · confidence 50% · lift 2.00" in text
    assert "<code>bought:TEA-1 &amp; !bought:LEM-1</code>" in (reply.text or "")
    # Bread and "Salt & Pepper" always go together: a rule, but no audience can name it.
    assert "Bread → Salt & Pepper" in text
    assert associations.NO_AUDIENCE in text

    reply = await desk.send_text(maya, "/associations lots")
    assert reply.text == "Support must be a number like 0.02 or 2%, not 'lots'."
    reply = await desk.send_text(maya, "/associations 0 30%")
    assert reply.text == "Support must be above 0 and at most 1 (e.g. 0.01 or 1%), not 0.0."
    reply = await desk.send_text(maya, "/associations 1% 30% 5")
    assert reply.text.startswith("Usage: /associations [min_support] [min_confidence]")

    reply = await desk.send_text(carol, "/associations")
    assert reply.text == REFUSAL[Role.MANAGER]
    assert "bought:" not in "".join(m.text or "" for m in desk.sandbox.messages_to(carol.id))
    assert not await Ticket.exists()  # the refused command did not become a ticket either
