"""The approval audit and the trace on both engines: rows kept in order, replays add nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphs.audit import ApprovalAudit
from graphs.trace import TraceLog
from persistence.database import Database, PostgresDatabase, SqliteDatabase


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
