"""The ``baton`` CLI with ``BATON_DATABASE_URL`` set: checkpoints in PostgreSQL, end to end."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from cli_process import DOUBLE_CHARGE, Baton

from persistence.migrations import CREATE_TABLE

pytestmark = pytest.mark.e2e


@pytest.fixture
def pg_baton(tmp_path: Path, postgres_url: str) -> Baton:
    """``baton`` over a fresh BATON_HOME, its checkpoints in this session's database."""
    return Baton(tmp_path / "home", database_url=postgres_url)


def _checkpoints(url: str, thread: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = %s", (thread,))
        return int(row.fetchone()[0])  # type: ignore[index]


def _subgraph_checkpoints(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT COUNT(*) FROM checkpoints WHERE checkpoint_ns <> ''")
        return int(row.fetchone()[0])  # type: ignore[index]


def test_a_double_charge_runs_resumes_and_reads_back_from_postgres(
    pg_baton: Baton, postgres_url: str
) -> None:
    run = pg_baton("run", DOUBLE_CHARGE, "--thread", "dc")
    assert run.returncode == 3, run.stderr
    assert "continue: baton resume dc --approve all" in run.stdout
    waiting = _checkpoints(postgres_url, "dc")
    assert waiting > 0

    done = pg_baton.approve_until_done("dc")
    assert done["status"] == "done"
    assert [amount for _, amount in pg_baton.refunds_for(5531)] == [12900]
    assert len(pg_baton.emails()) == 1
    assert _checkpoints(postgres_url, "dc") > waiting
    with closing(sqlite3.connect(pg_baton.home / "baton.db")) as local:
        tables = {r[0] for r in local.execute("SELECT name FROM sqlite_master")}
    assert "checkpoints" not in tables  # the ledger and the rest stay local; checkpoints do not
    listed = pg_baton.json("threads", expect=0)
    assert [(row["thread_id"], row["status"]) for row in listed] == [("dc", "done")]
    history = pg_baton.json("history", "dc", expect=0)
    assert len(history) == _checkpoints(postgres_url, "dc") - _subgraph_checkpoints(postgres_url)

    forked = pg_baton.json("fork", "dc", "--to", "copy", expect=0)
    assert forked["checkpoints"] == _checkpoints(postgres_url, "copy") > 0
    pruned = pg_baton.json("prune", "--keep", "1", expect=0)
    assert set(pruned["threads"]) == {"dc", "copy"} and pruned["returned_bytes"] is None
    shown = pg_baton.json("show", "dc", expect=0)
    assert shown["status"] == "done" and "Refunded 129.00 USD" in shown["final_answer"]
    deleted = pg_baton.json("delete", "copy", expect=0)
    assert deleted["threads"] == ["copy"] and _checkpoints(postgres_url, "copy") == 0


def test_a_bad_or_unreachable_database_is_one_line(tmp_path: Path) -> None:
    bad = Baton(tmp_path / "home", "mysql://somewhere/db", with_world=False)("threads")
    assert bad.returncode == 2
    assert bad.stderr.startswith("baton: error: invalid setting database_url")
    assert "\n" not in bad.stderr.strip()

    unreachable = "postgresql://u:secret@127.0.0.1:1/db"
    down = Baton(tmp_path / "home", unreachable, with_world=False)("threads")
    assert down.returncode == 1
    assert (
        down.stderr
        == "baton: error: cannot connect to PostgreSQL at postgresql://u:***@127.0.0.1:1/db\n"
    )


def test_world_init_and_the_missing_world_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS baton_world CASCADE")
        conn.execute(CREATE_TABLE)
        conn.execute("DELETE FROM baton_migrations WHERE store = 'world'")
    baton = Baton(tmp_path / "home", postgres_url, with_world=False)
    missing = baton("run", "What is the refund policy?")
    assert missing.returncode == 2
    assert missing.stderr.startswith("baton: error: no world in PostgreSQL postgresql://")
    assert "`baton world init`" in missing.stderr and "\n" not in missing.stderr.strip()
    made = baton.json("world", "init", expect=0)
    assert made["created"] is True and made["world"].endswith("(schema baton_world)")
    assert baton.json("world", "init", expect=0)["created"] is False
    assert not (tmp_path / "home" / "world.db").exists()
