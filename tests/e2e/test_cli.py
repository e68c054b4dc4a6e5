"""The `crm` command line: sentiment train/eval/score and tickets, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "data" / "sentiment_sample.csv"


def crm(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_train_then_eval_prints_json_on_the_last_line(tmp_path: Path) -> None:
    model = tmp_path / "model.joblib"
    trained = crm("sentiment", "train", str(SAMPLE), "--out", str(model), cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert "trained on 60 texts" in trained.stdout and model.is_file()

    evaluated = crm("sentiment", "eval", str(SAMPLE), "--model", str(model), cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    result = json.loads(evaluated.stdout.strip().splitlines()[-1])
    assert result["n"] == 60 and set(result) == {"n", "accuracy", "macro_f1"}
    assert result["accuracy"] > 0.9  # it saw these texts in training


def test_eval_with_the_builtin_analyzer_and_bad_files(tmp_path: Path) -> None:
    ok = crm("sentiment", "eval", str(SAMPLE), cwd=tmp_path)
    assert ok.returncode == 0 and json.loads(ok.stdout.splitlines()[-1])["n"] == 60
    missing = crm("sentiment", "eval", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.startswith("error:")
    corrupt = tmp_path / "bad.joblib"
    corrupt.write_bytes(b"not a model")
    bad_model = crm("sentiment", "eval", str(SAMPLE), "--model", str(corrupt), cwd=tmp_path)
    assert bad_model.returncode == 1 and "Traceback" not in bad_model.stderr


def test_train_needs_a_file_or_ratings(tmp_path: Path) -> None:
    result = crm("sentiment", "train", "--out", str(tmp_path / "m"), cwd=tmp_path)
    assert result.returncode == 1
    assert "give either a labelled CSV file or --from-ratings" in result.stderr


def test_score_and_tickets_on_an_empty_store(tmp_path: Path) -> None:
    env = {"CRM_DB_URL": f"sqlite://{tmp_path / 'crm.db'}"}
    scored = crm("sentiment", "score", cwd=tmp_path, env=env)
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout.strip() == "scored 0 message(s) with cue"
    listed = crm("tickets", cwd=tmp_path, env=env)
    assert listed.returncode == 0 and "kind" in listed.stdout


def test_gdpr_export_writes_everything_held_about_a_customer(tmp_path: Path) -> None:
    import asyncio

    from crm.desk.tickets import log_customer_message
    from crm.store import db
    from tests.factories import inbound, make_profile

    url = f"sqlite://{tmp_path / 'crm.db'}"

    async def fill() -> int:
        await db.open_store(url)
        try:
            alice = make_profile(501, "Alice")
            result = await log_customer_message(profile=alice, message=inbound(alice, "my data"))
            return result.customer.id
        finally:
            await db.close_store()

    customer_id = asyncio.run(fill())
    out = tmp_path / "alice.json"
    result = crm(
        "gdpr", "export", str(customer_id), "--out", str(out), cwd=tmp_path, env={"CRM_DB_URL": url}
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["customer"]["first_name"] == "Alice" and data["customer"]["telegram_id"] == 501
    assert [m["text"] for m in data["messages"]] == ["my data"]
    assert len(data["tickets"]) == 1 and data["orders"] == []
    missing = crm("gdpr", "export", "999", cwd=tmp_path, env={"CRM_DB_URL": url})
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    assert set(data) >= {"audit", "telegram_updates", "deals", "tasks", "campaign_messages"}


def test_gdpr_erase_erases_a_customer_for_a_request_that_came_another_way(tmp_path: Path) -> None:
    import asyncio

    from crm.desk.tickets import log_customer_message
    from crm.models import AuditEntry, Customer, Message
    from crm.store import db
    from tests.factories import inbound, make_profile

    url = f"sqlite://{tmp_path / 'crm.db'}"

    async def fill() -> int:
        await db.open_store(url)
        try:
            alice = make_profile(501, "Alice")
            result = await log_customer_message(profile=alice, message=inbound(alice, "my data"))
            return result.customer.id
        finally:
            await db.close_store()

    async def held() -> tuple:
        await db.open_store(url)
        try:
            customer = await Customer.get()
            erase = await AuditEntry.get(action="customer.erase")
            texts = await Message.all().values_list("text", flat=True)
            return customer.first_name, customer.telegram_id, texts, erase.details["by"]
        finally:
            await db.close_store()

    customer_id = asyncio.run(fill())
    result = crm("gdpr", "erase", str(customer_id), cwd=tmp_path, env={"CRM_DB_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"erased customer {customer_id}: customer 1, tickets 1")
    assert asyncio.run(held()) == ("", None, [""], "operator")
    missing = crm("gdpr", "erase", "999", cwd=tmp_path, env={"CRM_DB_URL": url})
    assert missing.returncode == 1 and "does not exist" in missing.stderr
