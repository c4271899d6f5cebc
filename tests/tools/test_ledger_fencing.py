"""The effect ledger under a thread lease, on both engines: a taken-over holder runs nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.lease_store import lease_store
from persistence.leases import FencedOut, current_fence
from tools.ledger import EffectLedger, idempotency_key
from tools.spec import ToolCallContext, ToolSpec


class PayArgs(BaseModel):
    order: int


def _alive(host: str, pid: int) -> bool:
    return True


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "baton.db")
    else:
        yield PostgresDatabase(request.getfixturevalue("postgres_url"))


def test_a_taken_over_holder_starts_no_effect(database: Database, tmp_path: Path) -> None:
    paid: list[int] = []

    def pay(args: PayArgs, ctx: ToolCallContext) -> dict[str, Any]:
        paid.append(args.order)
        return {"paid": args.order}

    spec = ToolSpec("pay", "pay", PayArgs, reversible=False, run=pay)
    ledger = EffectLedger(tmp_path / "baton.db", database=database)
    leases = lease_store(database)
    stale = leases.claim("t", "stale", "h", 1, 0.05, _alive)
    time.sleep(0.1)
    fresh = leases.claim("t", "fresh", "h", 2, 60, _alive)
    ctx = ToolCallContext("t", "s1", "operator", idempotency_key("t", "call_1"))
    fenced = current_fence.set(stale)
    try:
        with pytest.raises(FencedOut, match="taken over"):
            ledger.execute(spec, PayArgs(order=5531), ctx)
    finally:
        current_fence.reset(fenced)
    assert paid == [] and ledger.effects_for("t") == []
    fenced = current_fence.set(fresh)
    try:
        assert ledger.execute(spec, PayArgs(order=5531), ctx).result == {"paid": 5531}
    finally:
        current_fence.reset(fenced)
    assert paid == [5531] and [e["status"] for e in ledger.effects_for("t")] == ["done"]
