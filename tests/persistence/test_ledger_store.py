"""The effect ledger's store on both engines: claims, fact holders, finishing, fencing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.lease_store import lease_store
from persistence.leases import FencedOut
from persistence.ledger import EffectCall, Replayed
from persistence.ledger_sql import LedgerSql


def _alive(host: str, pid: int) -> bool:
    return True


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "baton.db")
    else:
        yield PostgresDatabase(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database: Database, tmp_path: Path) -> Iterator[LedgerSql]:
    opened = LedgerSql(tmp_path / "baton.db", database=database)
    yield opened
    opened.close()


def _call(key: str, thread_id: str = "t", fact: str | None = "refund ch_1") -> EffectCall:
    return EffectCall(key, thread_id, "s1", "operator", "issue_refund", '{"order": 1}', fact)


def test_a_claim_records_the_call_and_a_done_key_replays(store: LedgerSql) -> None:
    assert store.claim(_call("k1"), None) is None
    assert store.outcome_unknown("k1")
    assert store.claim(_call("k1"), None) is None  # started, not done: claimed again
    assert store.finish("k1", "done", result_json='{"refund_id": "r1"}') == '{"refund_id": "r1"}'
    assert not store.outcome_unknown("k1")
    assert store.claim(_call("k1"), None) == Replayed({"refund_id": "r1"})
    # A done row is never downgraded; what it recorded is what comes back.
    assert store.finish("k1", "failed", error="late") == '{"refund_id": "r1"}'
    [row] = store.effects_for("t")
    assert (row["key"], row["status"], row["error"]) == ("k1", "done", None)
    assert row["args"] == {"order": 1} and row["result"] == {"refund_id": "r1"}
    assert row["fact"] == "refund ch_1" and row["finished_at"] and "seq" not in row
    assert store.effects_for("other") == []


def test_a_fact_is_held_by_the_earliest_call_that_did_not_fail(store: LedgerSql) -> None:
    assert store.claim(_call("k1", "thread-a"), None) is None
    held = store.claim(_call("k2", "thread-b"), None)
    assert isinstance(held, dict)
    assert (held["key"], held["thread_id"], held["status"]) == ("k1", "thread-a", "started")
    assert store.holder("refund ch_1", "k2") == held and store.holder("refund ch_1", "k1") is None
    store.finish("k1", "failed", error="card declined")  # a failed call holds nothing
    assert store.holder("refund ch_1", "k2") is None
    assert store.claim(_call("k2", "thread-b"), None) is None
    store.finish("k2", "done", result_json='{"ok": true}')
    done = store.claim(_call("k3", "thread-c"), None)
    assert isinstance(done, dict) and (done["key"], done["status"]) == ("k2", "done")
    assert done["result"] == {"ok": True} and done["at"]
    assert store.claim(_call("k4", "thread-c", fact=None), None) is None  # no fact: no holder
    assert store.threads_of(["k1", "k2", "missing"]) == {"k1": "thread-a", "k2": "thread-b"}
    assert store.threads_of([]) == {}
    assert [e["key"] for e in store.effects_for("thread-c")] == ["k4"]


def test_a_claim_under_a_taken_over_lease_records_nothing(
    store: LedgerSql, database: Database
) -> None:
    leases = lease_store(database)
    stale = leases.claim("t", "stale", "h", 1, 0.05, _alive)
    time.sleep(0.1)
    fresh = leases.claim("t", "fresh", "h", 2, 60, _alive)
    with pytest.raises(FencedOut, match="taken over"):
        store.claim(_call("k1"), stale)
    assert store.effects_for("t") == [] and not store.outcome_unknown("k1")
    assert store.claim(_call("k1"), fresh) is None
    assert [e["status"] for e in store.effects_for("t")] == ["started"]


def test_opening_again_keeps_the_rows_and_a_read_only_store_creates_nothing(
    store: LedgerSql, database: Database, tmp_path: Path
) -> None:
    store.claim(_call("k1"), None)
    again = LedgerSql(tmp_path / "baton.db", database=database)
    try:
        assert [e["key"] for e in again.effects_for("t")] == ["k1"]
    finally:
        again.close()
    if isinstance(database, SqliteDatabase):
        missing = LedgerSql(tmp_path / "none" / "baton.db", readonly=True)
        assert missing.effects_for("t") == [] and not (tmp_path / "none").exists()
