"""`python run_bot.py --demo` works with no token and leaves a store to inspect."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_without_a_token_and_leaves_a_demo_database(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Thanks! We've opened ticket #1 for you." in out
    assert "Your complaint is logged as ticket #2 with high priority" in out
    assert "谢谢！我们已为您创建工单 #3" in out
    assert "Please rate us with a number from 1 to 5" in out
    assert "bot → Alice < Sorry Alice! It ships today: TRK123." in out  # the agent's reply
    assert "Your ticket #1 has been resolved. How did we do?" in out
    assert "Thank you for rating us 5/5!" in out
    assert "🟢 online Anna (7001) · 3/5 open" in out
    assert "Store now holds: 3 customers, 5 tickets, 10 messages, 2 ratings" in out
    assert "Traceback" not in result.stderr

    db = tmp_path / "demo-data" / "crm-demo.db"
    with sqlite3.connect(db) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM ticket GROUP BY kind").fetchall())
        edited = conn.execute(
            "SELECT text, edit_history FROM message WHERE edited_at IS NOT NULL"
        ).fetchall()
        comment = conn.execute("SELECT comment FROM rating WHERE score = 5 ORDER BY id")
        comments = [row[0] for row in comment.fetchall()]
        notes = conn.execute("SELECT text FROM message WHERE direction = 'internal'").fetchall()
    assert kinds == {"inquiry": 2, "complaint": 1, "rating": 1, "feedback": 1}
    assert edited and edited[0][0] == "I was charged twice for order 2231"
    assert comments == ["服务很好", "Very quick, thank you!"]
    assert notes == [("Finance confirmed the double charge",)]
