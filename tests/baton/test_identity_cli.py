"""``--approve all`` never confirms a requester who is not the owner: that takes an id."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from baton.cli import main

NOT_THE_OWNER = "Customer 1077 was charged twice for order 5531. Refund the duplicate."


def _refunds(home: Path) -> int:
    with closing(sqlite3.connect(home / "world.db")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM refunds WHERE order_id = 5531").fetchone()[0])


def test_approve_all_leaves_it_and_approving_it_by_id_runs_it(
    world_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", NOT_THE_OWNER, "--thread", "who", "--json"]) == 3
    (item,) = json.loads(capsys.readouterr().out)["pending"]
    assert "order 5531 belongs to customer 1042" in item["live"]["identity"]
    assert main(["resume", "who", "--approve", "all"]) == 3
    out = capsys.readouterr().out
    assert "IDENTITY: the request names customer 1077, but order 5531 belongs to" in out
    assert _refunds(world_home) == 0
    assert main(["resume", "who", "--approve", item["id"], "--json"]) == 3  # now the email
    assert _refunds(world_home) == 1
