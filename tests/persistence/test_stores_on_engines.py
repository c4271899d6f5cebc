"""The approval audit, the trace and the budget on both engines."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.meter import BudgetExhausted
from persistence.audit import ApprovalAudit
from persistence.budget import BudgetBook, Limits
from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.trace import TraceLog


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
