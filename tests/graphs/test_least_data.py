"""Least data: a customer a request names is looked up, never guessed, never listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph_run import Run

from persistence.world.seed import CUSTOMERS
from state.views import results_of

BY_NAME = "Dana Whitfield was charged twice for her annual plan. Please refund the duplicate."


def _said(run: Run) -> str:
    """Everything the thread tells a person: the answer and every step's output."""
    values = run.values
    outputs = [r.output for r in results_of(values).values()]
    return "\n".join([values.get("final_answer", ""), *outputs])


def _other_customers(but: int | None) -> list[str]:
    return [v for cid, name, email, *_ in CUSTOMERS if cid != but for v in (name, email)]


def test_a_customer_named_in_the_request_is_found_and_nobody_else_is_listed(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(BY_NAME)
    pending = run.pending("issue_refund").value
    assert (pending["args"]["customer_id"], pending["args"]["order_id"]) == (1042, 5531)
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5531) == [(12900, "USD")]
    said = _said(run)
    assert not [v for v in _other_customers(but=1042) if v in said]
    lookups = [e["data"] for e in run.trace("tool_call") if e["data"]["tool"] == "find_customer"]
    assert [d["args"] for d in lookups] == [{"name": "Dana Whitfield"}]


def _add_customer(run: Run, row: tuple[Any, ...]) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(run.settings.home / "world.db")) as conn:
        conn.execute("INSERT INTO customers VALUES (?, ?, ?, ?, ?)", row)
        conn.commit()


def test_a_name_several_customers_share_is_asked_about(make_run: Callable[..., Run]) -> None:
    run = make_run()
    _add_customer(run, (1200, "Dana Whitfield", "dana.w@example.org", "free", "2025-06-01"))
    out = run.start(BY_NAME)
    assert run.interrupts == []  # nothing to approve: no refund was guessed
    assert run.world_rows("SELECT COUNT(*) FROM refunds WHERE customer_id IN (1042, 1200)") == [
        (0,)
    ]
    assert "2 customers match name 'Dana Whitfield'" in out["final_answer"]
    said = _said(run)
    assert "dana.w@example.org" not in said and "dana.whitfield@example.com" not in said
    assert not [v for v in _other_customers(but=None) if v in said and v != "Dana Whitfield"]


def test_a_name_nobody_has_is_asked_about(make_run: Callable[..., Run]) -> None:
    run = make_run()
    out = run.start("Jordan Smallwood was charged twice for the annual plan, refund it.")
    assert run.interrupts == []
    assert "no customer matches name 'Jordan Smallwood'" in out["final_answer"]
    assert not [v for v in _other_customers(but=None) if v in _said(run)]
