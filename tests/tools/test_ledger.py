from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from persistence.database import PostgresDatabase
from persistence.world.connect import connect
from tools.ledger import EffectLedger, LedgerOutcome, idempotency_key
from tools.payments import build_issue_refund
from tools.spec import ToolCallContext, ToolRejected, ToolSpec, ToolTransientError
from tools.world import World


class EchoArgs(BaseModel):
    value: int


class CountingTool:
    """A fake backend that counts calls and can be told to fail."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.calls = 0
        self.fail_with = fail_with
        self.lock = threading.Lock()

    def __call__(self, args: EchoArgs, ctx: ToolCallContext) -> dict[str, Any]:
        with self.lock:
            self.calls += 1
        if self.fail_with is not None:
            raise self.fail_with
        return {"value": args.value, "call": self.calls}

    def spec(self) -> ToolSpec:
        return ToolSpec("echo", "echo", EchoArgs, reversible=False, run=self)


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> EffectLedger:
    """The ledger on each engine (on PostgreSQL: the test's own emptied database)."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    database = PostgresDatabase(url) if url is not None else None
    return EffectLedger(tmp_path / "ledger" / "effects.db", database=database)


def test_idempotency_key_is_stable_per_thread_and_call() -> None:
    key = idempotency_key("thread-1", "call_abc")
    assert key == idempotency_key("thread-1", "call_abc")
    assert len(key) == 32 and int(key, 16) >= 0
    assert key != idempotency_key("thread-2", "call_abc")
    assert key != idempotency_key("thread-1", "call_abd")


def test_done_call_is_replayed_without_calling_the_tool(
    ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tool = CountingTool()
    ctx = make_ctx("k1")
    first = ledger.execute(tool.spec(), EchoArgs(value=7), ctx)
    second = ledger.execute(tool.spec(), EchoArgs(value=7), ctx)
    assert first == LedgerOutcome({"value": 7, "call": 1}, replayed=False)
    assert second == LedgerOutcome({"value": 7, "call": 1}, replayed=True)
    assert tool.calls == 1
    [effect] = ledger.effects_for("thread-1")
    assert effect["status"] == "done"
    assert effect["tool"] == "echo"
    assert effect["args"] == {"value": 7}
    assert effect["result"] == {"value": 7, "call": 1}
    assert effect["finished_at"] is not None


def test_replay_survives_a_new_ledger_instance(
    tmp_path: Path, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tool = CountingTool()
    EffectLedger(tmp_path / "l.db").execute(tool.spec(), EchoArgs(value=1), make_ctx("k"))
    outcome = EffectLedger(tmp_path / "l.db").execute(tool.spec(), EchoArgs(value=1), make_ctx("k"))
    assert outcome.replayed and tool.calls == 1


def test_rejected_call_is_recorded_failed_and_reraised(
    ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tool = CountingTool(fail_with=ToolRejected("order 1 does not exist"))
    with pytest.raises(ToolRejected, match="order 1 does not exist"):
        ledger.execute(tool.spec(), EchoArgs(value=1), make_ctx("k"))
    [effect] = ledger.effects_for("thread-1")
    assert (effect["status"], effect["error"]) == ("failed", "order 1 does not exist")
    tool.fail_with = None  # a failed key is not a done key: trying again runs the tool
    assert not ledger.execute(tool.spec(), EchoArgs(value=1), make_ctx("k")).replayed
    assert tool.calls == 2


def test_transient_error_leaves_started_and_retry_goes_to_the_backend(
    ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tool = CountingTool(fail_with=ToolTransientError("timeout"))
    with pytest.raises(ToolTransientError):
        ledger.execute(tool.spec(), EchoArgs(value=1), make_ctx("k"))
    [effect] = ledger.effects_for("thread-1")
    assert effect["status"] == "started"
    assert "timeout" in effect["error"]
    tool.fail_with = None
    outcome = ledger.execute(tool.spec(), EchoArgs(value=1), make_ctx("k"))
    assert outcome == LedgerOutcome({"value": 1, "call": 2}, replayed=False)
    assert ledger.effects_for("thread-1")[0]["status"] == "done"


def test_started_row_is_committed_before_the_backend_runs(
    ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    seen: list[str] = []

    def run(args: EchoArgs, ctx: ToolCallContext) -> str:
        seen.append(ledger.effects_for(ctx.thread_id)[0]["status"])
        return "ok"

    ledger.execute(ToolSpec("probe", "", EchoArgs, False, run), EchoArgs(value=1), make_ctx())
    assert seen == ["started"]


def test_concurrent_executes_of_one_key_refund_once(
    world: World, ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    spec = build_issue_refund(world)
    args = spec.validate_args(
        {
            "order_id": 5531,
            "customer_id": 1042,
            "amount": "129.00",
            "currency": "USD",
            "reason": "duplicate charge",
        }
    )
    ctx = make_ctx(idempotency_key("thread-1", "call_refund"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: ledger.execute(spec, args, ctx), range(8)))
    assert len({o.result["refund_id"] for o in outcomes}) == 1
    conn = connect(world, readonly=True)
    try:
        assert conn.execute("SELECT COUNT(*) FROM refunds WHERE order_id = 5531").fetchone()[0] == 1
    finally:
        conn.close()
    [effect] = ledger.effects_for("thread-1")
    assert effect["status"] == "done"
    assert ledger.execute(spec, args, ctx).replayed


def test_effects_for_lists_only_that_thread(
    ledger: EffectLedger, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tool = CountingTool()
    ledger.execute(tool.spec(), EchoArgs(value=1), make_ctx("a"))
    ledger.execute(tool.spec(), EchoArgs(value=2), make_ctx("b"))
    other = ToolCallContext("thread-2", "s1", "billing", "c")
    ledger.execute(tool.spec(), EchoArgs(value=3), other)
    assert [e["key"] for e in ledger.effects_for("thread-1")] == ["a", "b"]
    assert [e["key"] for e in ledger.effects_for("thread-2")] == ["c"]
    assert ledger.effects_for("nobody") == []
