"""Budgets end a run with status budget_exhausted and its partial results, never a hang."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes import Turn, tool_call
from graph_run import Run

from persistence.budget import BudgetBook, Limits
from state.usage import BudgetExhausted
from state.views import results_of

DOUBLE_CHARGE = "I was billed two times for order 5602"


def test_running_out_of_model_calls_ends_with_partial_results(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(max_model_calls=6)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "budget_exhausted"
    assert run.interrupts == []
    assert "Run ended (budget_exhausted)" in out["final_answer"]
    assert "Partial results:" in out["final_answer"]
    statuses = {r.worker: r.status for r in results_of(out).values()}
    # Two parallel steps shared four calls: one finished, the other ran out.
    assert "ok" in statuses.values() and "budget_exhausted" in statuses.values()
    assert "budget exhausted: 6/6 model calls" in out["error"]
    # The budget is one across branches: exactly six calls reached a model.
    assert sum(run.log.counts().values()) == 6
    assert (
        BudgetBook(run.settings.db_path, database=run.settings.database)
        .usage(run.thread)
        .model_calls
        == 6
    )
    assert run.refunds(5602) == []


def test_a_budget_of_one_call_stops_after_triage(make_run: Callable[..., Run]) -> None:
    run = make_run(max_model_calls=1)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "budget_exhausted"
    assert "1/1 model calls" in out["error"]
    assert run.log.counts() == {"Route": 1}


def test_running_out_after_an_approval_keeps_the_refund_and_sends_nothing(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(max_model_calls=10)
    run.start(DOUBLE_CHARGE)
    out = run.resume({run.pending("issue_refund").id: {"type": "approve"}})
    assert out["status"] == "budget_exhausted"
    assert run.refunds(5602) == [(4900, "EUR")]
    assert run.outbox() == []
    operator = next(r for r in results_of(out).values() if r.worker == "operator")
    assert operator.status == "budget_exhausted"
    assert [e["tool"] for e in operator.effects] == ["issue_refund"]


def searching_forever(turn: Turn) -> Any:
    query = f"refund policy part {len(turn.tool_results)}"
    return tool_call("kb_search", {"query": query, "k": 1}, salt=len(turn.messages))


def test_a_worker_that_always_calls_tools_stops_at_its_cap(make_run: Callable[..., Run]) -> None:
    run = make_run({"researcher": searching_forever})
    out = run.start("what is your refund policy for annual plans?")
    assert out["status"] == "budget_exhausted"
    assert "researcher reached its cap of 4 tool calls" in out["error"]
    result = results_of(out)["answer"]
    assert result.status == "budget_exhausted"
    assert result.citations  # what it found before the cap is kept
    searches = [e for e in run.trace("tool_call") if e["data"]["tool"] == "kb_search"]
    assert len(searches) == 4
    assert run.log.count("researcher") == 5


def test_running_out_of_tool_calls_stops_the_worker(make_run: Callable[..., Run]) -> None:
    run = make_run({"researcher": searching_forever}, max_tool_calls=2)
    out = run.start("what is your refund policy for annual plans?")
    assert out["status"] == "budget_exhausted"
    assert "2/2 tool calls" in out["error"]
    assert len(run.trace("tool_call")) == 2


def test_parallel_reservations_never_overspend(tmp_path: Path) -> None:
    book = BudgetBook(tmp_path / "baton.db")
    limits = Limits(model_calls=25, tool_calls=5, tokens=10**9)
    granted: list[int] = []
    lock = threading.Lock()

    def spend() -> None:
        for _ in range(10):
            try:
                book.reserve("t", "model_calls", limits)
            except BudgetExhausted:
                continue
            with lock:
                granted.append(1)

    workers = [threading.Thread(target=spend) for _ in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(granted) == 25
    assert book.usage("t").model_calls == 25


def test_tokens_count_against_the_budget(tmp_path: Path) -> None:
    book = BudgetBook(tmp_path / "baton.db")
    limits = Limits(model_calls=100, tool_calls=100, tokens=1000)
    book.reserve("t", "model_calls", limits)
    book.add_tokens("t", 900, 100)
    with pytest.raises(BudgetExhausted, match="1000/1000 tokens"):
        book.reserve("t", "model_calls", limits)
    book.reserve("other-thread", "model_calls", limits)  # budgets are per thread


def replanning_forever(turn: Turn) -> Any:
    """A planner that always finds one more step to do."""
    iteration = turn.field("Iteration").split(" ")[0]
    step = {"id": f"r{iteration}", "worker": "researcher", "instruction": "look again"}
    return {"rationale": "one more look", "steps": [step], "done": False}


def test_a_planner_that_replans_forever_stops_at_its_iteration_cap(
    make_run: Callable[..., Run],
) -> None:
    run = make_run({"Plan": replanning_forever}, max_plan_iterations=3)
    out = run.start("Customer 1042 says order 5531 was charged twice; look into it.")
    assert out["status"] == "budget_exhausted"
    assert out["error"] == "planner reached its cap of 3 iterations"
    assert run.log.count("Plan") == 3
    assert sorted(out["results"]) == ["r1", "r2", "r3"]  # the partial results are kept
    assert all(r.status == "ok" for r in results_of(out).values())
    assert run.values["status"] == "budget_exhausted"  # the thread is still readable


def test_a_charge_under_a_once_key_is_made_once(tmp_path: Path) -> None:
    book = BudgetBook(tmp_path / "baton.db")
    limits = Limits(model_calls=10, tool_calls=1, tokens=10_000)
    book.reserve("t", "tool_calls", limits, once_key="refund-key")
    book.reserve("t", "tool_calls", limits, once_key="refund-key")  # the node re-ran
    assert book.usage("t").tool_calls == 1
    with pytest.raises(BudgetExhausted):
        book.reserve("t", "tool_calls", limits, once_key="email-key")
    # the refused charge left no trace: with room, the same key is charged once
    book.reserve("t", "tool_calls", Limits(10, 2, 10_000), once_key="email-key")
    assert book.usage("t").tool_calls == 2
    book.reserve("t", "tool_calls", Limits(10, 5, 10_000), once_key="email-key")
    assert book.usage("t").tool_calls == 2
