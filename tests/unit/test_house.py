"""Issue #16's "done means" hold on this tree, as tests/house.py measures them."""

from pathlib import Path

import pytest

from tests import house

# A tree that breaks each rule once, so a rule that measures nothing cannot pass unnoticed.
BROKEN = {
    "run_bot.py": "",
    "bench/big.py": "x = 1\n" * 601,
    "crm/models/__init__.py": "from tortoise.models import Model\nclass Ticket(Model): ...\n",
    "crm/store.py": "def later():\n    import telegram\n",
    "handlers/callbacks.py": """
class A(CallbackData, prefix="tk"): ...
class B(CallbackData, prefix="tk"): ...
""",
    "handlers/agent.py": "async def take(update: Update, context) -> None:\n" + "    x = 1\n" * 31,
    "handlers/customer.py": """import re
from crm.models import Ticket
from handlers import agent

async def start(update, context):
    await agent.take(update, context)
    await Ticket.filter(id=1)

DATA = re.compile(r"^tk:(\\d+)")
""",
    "bot/app.py": """from handlers import customer

def build(app):
    app.add_handler(CommandHandler("start", customer.start))
    app.add_handler(CallbackQueryHandler(customer.start, pattern="^tk:"))
    Button(callback_data=f"tk:{1}")
""",
}
EXPECTED = {
    "file_length": ["bench/big.py: 601 lines"],
    "handler_calls": ["handlers/customer.py:6 calls handlers.agent.take"],
    "no_orm": ["handlers/customer.py:7 Ticket.filter()"],
    "import_direction": ["crm/store.py:2 crm/ imports telegram"],
    "handler_length": ["handlers/agent.py:1 take: 31 lines"],
    "callback_codec": [
        "bot/app.py:6 callback_data=f'tk:{1}'",
        "bot/app.py:5 pattern='^tk:'",
        "handlers/customer.py:9 regex '^tk:(\\\\d+)'",
        "prefix 'tk' is the prefix of several kinds",
    ],
}


@pytest.fixture(scope="module")
def measured() -> house.House:
    return house.House()


@pytest.mark.parametrize("rule", house.RULES, ids=lambda rule: rule.__name__)
def test_the_house_keeps_the_rule(measured: house.House, rule) -> None:
    result = rule(measured)
    if result.failures:
        pytest.fail(house.render([result]), pytrace=False)


@pytest.mark.parametrize("rule", house.RULES, ids=lambda rule: rule.__name__)
def test_the_rule_finds_what_breaks_it(tmp_path: Path, rule) -> None:
    for path, text in BROKEN.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    failures = rule(house.House(tmp_path)).failures
    assert [f for f in failures if not f.startswith("p90")] == EXPECTED[rule.__name__]
