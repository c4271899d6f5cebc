"""One effect per fact in the world: calls under different keys that make the same fact."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from persistence import ledger_sql
from persistence.database import PostgresDatabase
from persistence.world.connect import connect
from tools import ledger as ledger_module
from tools.ledger import EffectLedger, describe_prior, idempotency_key
from tools.outbox import build_send_email
from tools.payments import build_issue_refund
from tools.spec import AlreadyDone, Fact, FactInProgress, ToolCallContext, ToolRejected, ToolSpec
from tools.world import World

REFUND = {
    "order_id": 5531,
    "customer_id": 1042,
    "amount": "129.00",
    "currency": "USD",
    "reason": "duplicate charge",
}


class NoteArgs(BaseModel):
    case: str
    text: str


class Notifier:
    """A backend with a fact (one note per case) that counts what it did."""

    def __init__(self, fail: Exception | None = None, hold: threading.Event | None = None) -> None:
        self.done: list[str] = []
        self.fail = fail
        self.hold = hold

    def __call__(self, args: NoteArgs, ctx: ToolCallContext) -> dict[str, Any]:
        if self.hold is not None:
            self.hold.wait(5)
        if self.fail is not None:
            raise self.fail
        self.done.append(ctx.thread_id)
        return {"case": args.case, "sent_by": ctx.thread_id}

    def spec(self) -> ToolSpec:
        fact = Fact(key=lambda args: f"note on {args.case}")
        return ToolSpec("note", "note", NoteArgs, reversible=False, run=self, fact=fact)


def _ctx(thread: str, call: str = "call_1") -> ToolCallContext:
    return ToolCallContext(thread, "s4", "operator", idempotency_key(thread, call))


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> EffectLedger:
    """The ledger on each engine (on PostgreSQL: the test's own emptied database)."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    database = PostgresDatabase(url) if url is not None else None
    return EffectLedger(tmp_path / "baton.db", database=database)


def test_a_second_call_for_the_same_fact_reports_the_first(ledger: EffectLedger) -> None:
    tool = Notifier()
    first = ledger.execute(tool.spec(), NoteArgs(case="5531", text="hi"), _ctx("thread-a"))
    with pytest.raises(AlreadyDone, match="note on 5531 was already done by thread thread-a at"):
        ledger.execute(tool.spec(), NoteArgs(case="5531", text="other words"), _ctx("thread-b"))
    assert tool.done == ["thread-a"]
    assert first.result == {"case": "5531", "sent_by": "thread-a"}
    # Another fact is not held back, and the first call still replays under its own key.
    ledger.execute(tool.spec(), NoteArgs(case="5602", text="hi"), _ctx("thread-b"))
    again = ledger.execute(tool.spec(), NoteArgs(case="5531", text="hi"), _ctx("thread-a"))
    assert again.replayed and tool.done == ["thread-a", "thread-b"]
    assert [e["status"] for e in ledger.effects_for("thread-b")] == ["done"]


def test_a_refused_call_does_not_hold_the_fact(ledger: EffectLedger) -> None:
    refused = Notifier(fail=ToolRejected("mailbox full"))
    with pytest.raises(ToolRejected, match="mailbox full"):
        ledger.execute(refused.spec(), NoteArgs(case="5531", text="hi"), _ctx("thread-a"))
    works = Notifier()
    ledger.execute(works.spec(), NoteArgs(case="5531", text="hi"), _ctx("thread-b"))
    assert works.done == ["thread-b"]


def test_a_call_in_flight_holds_the_fact_until_it_finishes(
    ledger: EffectLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    hold = threading.Event()
    slow = Notifier(hold=hold)
    args = NoteArgs(case="5531", text="hi")
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(ledger.execute, slow.spec(), args, _ctx("thread-a"))
        while not ledger.effects_for("thread-a"):
            threading.Event().wait(0.01)
        monkeypatch.setattr(ledger_module, "FACT_WAIT_S", 0.2)
        with pytest.raises(FactInProgress, match="being carried out by thread thread-a since"):
            ledger.execute(slow.spec(), args, _ctx("thread-b"))
        hold.set()
        first.result()
    with pytest.raises(AlreadyDone):  # waiting for the holder to finish ends in its outcome
        ledger.execute(slow.spec(), args, _ctx("thread-b"))
    assert slow.done == ["thread-a"]


def test_threads_racing_for_one_refund_make_exactly_one(world: World, tmp_path: Path) -> None:
    ledger = EffectLedger(tmp_path / "baton.db")
    spec = build_issue_refund(world)
    args = spec.validate_args(REFUND)

    def attempt(i: int) -> str:
        try:
            ledger.execute(spec, args, _ctx(f"thread-{i}"))
            return "refunded"
        except AlreadyDone:
            return "already done"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(attempt, range(6)))
    assert outcomes == ["already done"] * 5 + ["refunded"]
    with closing(connect(world, readonly=True)) as conn:
        rows = conn.execute("SELECT charge_id, amount_cents FROM refunds WHERE order_id = 5531")
        assert [tuple(r) for r in rows] == [("ch_5531_2", 12900)]


def test_a_refund_found_by_the_backend_is_attributed_to_its_thread(
    world: World, tmp_path: Path
) -> None:
    # thread-a refunded through a ledger in another file, so this ledger has no claim for the
    # fact; the backend's own check still finds the refund and names the thread by its key.
    spec = build_issue_refund(world)
    args = spec.validate_args(REFUND)
    here, elsewhere = EffectLedger(tmp_path / "here.db"), EffectLedger(tmp_path / "there.db")
    elsewhere.execute(spec, args, _ctx("thread-a"))
    with pytest.raises(AlreadyDone, match="already refunded in full") as exc:
        here.execute(spec, args, _ctx("thread-b"))
    [prior] = exc.value.prior
    assert prior.get("thread_id") is None  # "here" never saw thread-a's refund key
    assert describe_prior(prior).startswith("outside Baton at ")
    assert prior["amount"] == "129.00 USD"
    elsewhere.attribute(exc.value.prior)
    assert exc.value.prior[0]["thread_id"] == "thread-a"
    [failed] = here.effects_for("thread-b")
    assert failed["status"] == "failed" and "already refunded" in failed["error"]


def test_one_email_per_recipient_and_case(world: World, tmp_path: Path) -> None:
    ledger = EffectLedger(tmp_path / "baton.db")
    spec = build_send_email(world)
    base = {
        "to": "dana.whitfield@example.com",
        "subject": "Your refund",
        "body": "Hi Dana, refunded.",
        "customer_id": 1042,
        "regarding": "Order 5531: duplicate charge refunded",
    }
    ledger.execute(spec, spec.validate_args(base), _ctx("thread-a"))
    reworded = {**base, "body": "Hello Dana, we refunded you.", "to": "Dana.Whitfield@example.com"}
    reworded["regarding"] = "order 5531 - duplicate charge refunded!"
    with pytest.raises(AlreadyDone, match=r"email to dana\.whitfield@example\.com regarding"):
        ledger.execute(spec, spec.validate_args(reworded), _ctx("thread-b"))
    other_case = {**base, "regarding": "order 5556: storage add-on"}
    ledger.execute(spec, spec.validate_args(other_case), _ctx("thread-b"))
    # Without `regarding`, only the very same message is the same fact.
    plain = {k: v for k, v in base.items() if k != "regarding"}
    ledger.execute(spec, spec.validate_args(plain), _ctx("thread-c"))
    with pytest.raises(AlreadyDone):
        ledger.execute(spec, spec.validate_args({**plain, "body": "HI Dana,  refunded"}), _ctx("d"))
    ledger.execute(spec, spec.validate_args({**plain, "body": "Hi Dana, sorry."}), _ctx("e"))
    assert len(list((world.outbox_dir).glob("*.eml"))) == 4


def test_a_ledger_from_before_facts_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "baton.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(ledger_sql.SCHEMA)
        conn.execute(
            "INSERT INTO effects (key, thread_id, step_id, worker, tool, args_json, status,"
            " created_at) VALUES ('k', 't', 's', 'w', 'note', '{}', 'done', 'then')"
        )
        conn.commit()
    ledger = EffectLedger(path)
    assert ledger.effects_for("t")[0]["fact"] is None
    tool = Notifier()
    ledger.execute(tool.spec(), NoteArgs(case="1", text="x"), _ctx("t2"))
    assert ledger.effects_for("t2")[0]["fact"] == "note on 1"
