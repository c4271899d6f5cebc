"""The approval prompt shows the world as it stands now: the refundable remainder, who refunded."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from cli_samples import DOUBLE_CHARGE

from baton.cli import main


def _pending(capsys: pytest.CaptureFixture[str], thread: str) -> dict[str, object]:
    assert main(["show", thread, "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)["pending"]
    assert isinstance(item, dict)
    return item


def test_the_prompt_shows_the_remainder_and_a_refund_made_since(
    threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = _pending(capsys, "waiting")["live"]
    assert live == {
        "fact": "refund of charge ch_5531_2",
        "charge_id": "ch_5531_2",
        "charge": "129.00 USD",
        "refunded": "0.00 USD",
        "refundable": "129.00 USD",
        "refunds": [],
    }
    with closing(sqlite3.connect(threads_home / "world.db")) as conn:
        conn.execute(
            "INSERT INTO refunds VALUES ('re_desk', 'ch_5531_2', 5531, 1042, 5000, 'USD',"
            " 'goodwill at the desk', 'desk-1', '2025-06-02T08:00:00Z')"
        )
        conn.commit()
    assert main(["resume", "waiting"]) == 3  # no decision: shows what waits, as it is now
    out = capsys.readouterr().out
    assert "now:    refundable 79.00 USD of charge ch_5531_2 (refunded 50.00 USD)" in out
    assert 'earlier refund: outside Baton at 2025-06-02T08:00:00Z: {"amount": "50.00 USD"' in out


def test_the_prompt_names_the_thread_that_already_refunded(
    threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", DOUBLE_CHARGE, "--thread", "second", "--json"]) == 3
    assert main(["resume", "waiting", "--approve", "all", "--json"]) == 3  # now the email
    capsys.readouterr()
    assert main(["resume", "second"]) == 3
    out = capsys.readouterr().out
    assert "now:    refundable 0.00 USD of charge ch_5531_2 (refunded 129.00 USD)" in out
    assert "ALREADY DONE by thread waiting at " in out
    assert main(["resume", "second", "--approve", "all", "--json"]) == 0
    ended = json.loads(capsys.readouterr().out)
    assert "already refunded" in ended["final_answer"] or "already done" in ended["final_answer"]
    with closing(sqlite3.connect(threads_home / "world.db")) as conn:
        rows = conn.execute("SELECT COUNT(*) FROM refunds WHERE order_id = 5531").fetchone()
    assert rows == (1,)
