"""The approval audit, the trace, the budget and the effect ledger on both engines."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from persistence.audit import ApprovalAudit
from persistence.budget import BudgetBook, Limits
from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.ledger import EffectCall, Replayed
from persistence.ledger_sql import LedgerSql
from persistence.trace import TraceLog
from state.usage import BudgetExhausted


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "baton.db")
    else:
        yield PostgresDatabase(request.getfixturevalue("postgres_url"))


def test_the_audit_keeps_each_event_once_in_order(database: Database, tmp_path: Path) -> None:
    audit = ApprovalAudit(tmp_path / "baton.db", database=database)
    call = {"step": "s1", "tool": "issue_refund", "tool_call_id": "c1", "args_hash": "h"}
    for event, decision in (("proposed", ""), ("decided", "approve"), ("decided", "approve")):
        audit.record("t", **call, args={"order_id": 5531}, event=event, decision=decision)
    audit.record("other", **call, args={}, event="proposed")
    rows = audit.rows("t")
    assert [(r["event"], r["decision"]) for r in rows] == [
        ("proposed", ""),
        ("decided", "approve"),
    ]
    assert rows[0]["args"] == {"order_id": 5531} and rows[0]["tool"] == "issue_refund"
    again = ApprovalAudit(tmp_path / "baton.db", database=database, readonly=True)
    assert again.rows("t") == rows


def test_the_trace_keeps_every_event_in_order(database: Database, tmp_path: Path) -> None:
    trace = TraceLog(tmp_path / "baton.db", database=database)
    for n in range(5):
        trace.record("t", f"s{n}", "model_call", {"n": n})
    trace.record("u", "s0", "tool_call", {})
    events = trace.events("t")
    assert [(e["step"], e["data"]["n"]) for e in events] == [(f"s{n}", n) for n in range(5)]
    assert all(e["kind"] == "model_call" and e["at"] > 0 for e in events)
    assert [e["kind"] for e in trace.events("u")] == ["tool_call"]


def test_the_budget_never_overspends_and_charges_a_key_once(
    database: Database, tmp_path: Path
) -> None:
    book = BudgetBook(tmp_path / "baton.db", database=database)
    limits = Limits(model_calls=10, tool_calls=3, tokens=1000)
    refused: list[str] = []

    def charge() -> None:
        for _ in range(5):
            try:
                book.reserve("t", "model_calls", limits)
            except BudgetExhausted:
                refused.append("x")

    workers = [threading.Thread(target=charge) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert book.usage("t").model_calls == 10 and len(refused) == 10
    for _ in range(3):
        book.reserve("t", "tool_calls", limits, once_key="refund-1")
    assert book.usage("t", 1).tool_calls == 1
    book.add_tokens("t", 600, 500)
    with pytest.raises(BudgetExhausted, match="tokens"):
        book.reserve("t", "tool_calls", limits)
    raised = Limits(model_calls=20, tool_calls=5, tokens=5000)
    book.raise_limits("t", 2, raised)
    assert book.limits_for("t", 2, limits) == raised and book.limits_for("t", 1, limits) == limits
    book.reserve("t", "model_calls", raised, turn=2)
    assert book.usage("t", 2).model_calls == 1 and book.usage("t").model_calls == 11


@pytest.fixture
def ledger(database: Database, tmp_path: Path) -> Iterator[LedgerSql]:
    opened = LedgerSql(tmp_path / "baton.db", database=database)
    yield opened
    opened.close()


def _call(key: str, thread_id: str = "t", fact: str | None = "refund ch_1") -> EffectCall:
    return EffectCall(key, thread_id, "s1", "operator", "issue_refund", '{"order": 1}', fact)


def test_a_claim_records_the_call_and_a_done_key_replays(ledger: LedgerSql) -> None:
    assert ledger.claim(_call("k1"), None) is None
    assert ledger.outcome_unknown("k1")
    assert ledger.claim(_call("k1"), None) is None  # started, not done: claimed again
    assert ledger.finish("k1", "done", result_json='{"refund_id": "r1"}') == '{"refund_id": "r1"}'
    assert not ledger.outcome_unknown("k1")
    assert ledger.claim(_call("k1"), None) == Replayed({"refund_id": "r1"})
    # A done row is never downgraded; what it recorded is what comes back.
    assert ledger.finish("k1", "failed", error="late") == '{"refund_id": "r1"}'
    [row] = ledger.effects_for("t")
    assert (row["key"], row["status"], row["error"]) == ("k1", "done", None)
    assert row["args"] == {"order": 1} and row["result"] == {"refund_id": "r1"}
    assert row["fact"] == "refund ch_1" and row["finished_at"] and "seq" not in row
    assert ledger.effects_for("other") == []


def test_a_fact_is_held_by_the_earliest_call_that_did_not_fail(ledger: LedgerSql) -> None:
    assert ledger.claim(_call("k1", "thread-a"), None) is None
    held = ledger.claim(_call("k2", "thread-b"), None)
    assert isinstance(held, dict)
    assert (held["key"], held["thread_id"], held["status"]) == ("k1", "thread-a", "started")
    assert ledger.holder("refund ch_1", "k2") == held and ledger.holder("refund ch_1", "k1") is None
    ledger.finish("k1", "failed", error="card declined")  # a failed call holds nothing
    assert ledger.holder("refund ch_1", "k2") is None
    assert ledger.claim(_call("k2", "thread-b"), None) is None
    ledger.finish("k2", "done", result_json='{"ok": true}')
    done = ledger.claim(_call("k3", "thread-c"), None)
    assert isinstance(done, dict) and (done["key"], done["status"]) == ("k2", "done")
    assert done["result"] == {"ok": True} and done["at"]
    assert ledger.claim(_call("k4", "thread-c", fact=None), None) is None  # no fact: no holder
    assert ledger.threads_of(["k1", "k2", "missing"]) == {"k1": "thread-a", "k2": "thread-b"}
    assert ledger.threads_of([]) == {}
    assert [e["key"] for e in ledger.effects_for("thread-c")] == ["k4"]


def test_opening_again_keeps_the_rows_and_a_read_only_store_creates_nothing(
    ledger: LedgerSql, database: Database, tmp_path: Path
) -> None:
    ledger.claim(_call("k1"), None)
    again = LedgerSql(tmp_path / "baton.db", database=database)
    try:
        assert [e["key"] for e in again.effects_for("t")] == ["k1"]
    finally:
        again.close()
    if isinstance(database, SqliteDatabase):
        missing = LedgerSql(tmp_path / "none" / "baton.db", readonly=True)
        assert missing.effects_for("t") == [] and not (tmp_path / "none").exists()
