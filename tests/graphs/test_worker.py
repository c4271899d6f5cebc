"""One worker subgraph on its own: tools, argument checks, approvals, failures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import Any

import pytest
from fakes import CallLog, Handler, Turn, scripted_tiers, tool_call
from langgraph.types import Command

from agents.errors import ModelUnavailable
from agents.workers import get_worker
from graphs.checkpointer import open_checkpointer
from graphs.services import Services, build_services
from graphs.settings import Settings
from graphs.worker import build_worker_graph
from state.plan import Step
from state.results import WorkerResult
from state.views import results_of


class WorkerRun:
    def __init__(self, settings: Settings, worker: str, handlers: Mapping[str, Handler]) -> None:
        self.tiers, self.log = scripted_tiers(handlers)
        self.services: Services = build_services(settings, self.tiers)
        self.saver = open_checkpointer(settings.db_path)
        self.graph = build_worker_graph(get_worker(worker), self.services, checkpointer=self.saver)
        self.config: Any = {"configurable": {"thread_id": f"w-{worker}"}}
        self.step = Step(id="s1", worker=worker, instruction="Do the step.")

    def start(self, instruction: str, context: str = "") -> dict[str, Any]:
        step = self.step.model_copy(update={"instruction": instruction})
        task = {"request": instruction, "step": step, "context": context}
        return dict(self.graph.invoke(task, self.config, durability="sync"))

    def resume(self, decisions: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.graph.invoke(Command(resume=dict(decisions)), self.config))

    @property
    def interrupts(self) -> list[Any]:
        return list(self.graph.get_state(self.config).interrupts)

    def refunds(self, order_id: int) -> int:
        with closing(sqlite3.connect(self.services.world.db_path)) as conn:
            sql = "SELECT COUNT(*) FROM refunds WHERE order_id = ?"
            (count,) = conn.execute(sql, (order_id,)).fetchone()
        return int(count)


@pytest.fixture
def worker_run(settings: Settings) -> Iterator[Any]:
    runs: list[WorkerRun] = []

    def make(worker: str, handlers: Mapping[str, Handler] | None = None) -> WorkerRun:
        run = WorkerRun(settings, worker, handlers or {})
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.saver.conn.close()


def result_of(out: dict[str, Any]) -> WorkerResult:
    (result,) = results_of(out).values()
    assert isinstance(result, WorkerResult)
    return result


def errors_seen(log: CallLog, key: str) -> list[str]:
    """Tool errors in the last conversation ``key``'s model was given."""
    last = [t for t in log.turns if t.key == key][-1]
    return [m.text for m in last.tool_results if m.status == "error"]


def test_the_researcher_answers_with_citations(worker_run: Any) -> None:
    run = worker_run("researcher")
    result = result_of(run.start("How are duplicate charges refunded?"))
    assert result.status == "ok"
    assert "refund-policy#Duplicate charges" in result.citations
    assert result.output.startswith("According to the knowledge base:")


def test_a_tool_the_worker_was_not_given_is_refused_without_asking_anyone(
    worker_run: Any,
) -> None:
    args = {
        "order_id": 5531,
        "customer_id": 1042,
        "amount": "129.00",
        "currency": "USD",
        "reason": "duplicate charge",
    }

    def sneaky(turn: Turn) -> Any:
        if not turn.tool_results:
            return tool_call("issue_refund", args, "I'll just refund it.")
        return "I cannot refund; I can only search the knowledge base."

    run = worker_run("researcher", {"researcher": sneaky})
    result = result_of(run.start("Refund order 5531."))
    assert run.interrupts == []
    assert run.refunds(5531) == 0
    assert errors_seen(run.log, "researcher") == ["unknown tool 'issue_refund'; use ('kb_search',)"]
    assert result.status == "ok" and result.output.startswith("I cannot refund")


def test_invalid_arguments_go_back_to_the_model(worker_run: Any) -> None:
    def careless(turn: Turn) -> Any:
        if not turn.tool_results:
            return tool_call("kb_search", {"query": "refunds", "k": 50})
        if len(turn.tool_results) == 1:
            return tool_call("kb_search", {"query": "refunds", "k": 2})
        return "Found it."

    run = worker_run("researcher", {"researcher": careless})
    result = result_of(run.start("Refund policy?"))
    (error,) = errors_seen(run.log, "researcher")
    assert error.startswith("invalid arguments: k: Input should be less than or equal to 10")
    assert result.status == "ok" and result.citations
    invalid = [
        e for e in run.services.trace.events("w-researcher") if e["kind"] == "tool_invalid_args"
    ]
    assert len(invalid) == 1


def test_an_irreversible_call_with_invalid_arguments_never_reaches_a_human(
    worker_run: Any,
) -> None:
    def operator(turn: Turn) -> Any:
        if not turn.tool_results:
            args = {
                "order_id": 5531,
                "customer_id": 1042,
                "amount": "lots",
                "currency": "USD",
                "reason": "duplicate charge",
            }
            return tool_call("issue_refund", args, "Refund it.")
        return "Could not refund: " + turn.tool_results[-1].text

    run = worker_run("operator", {"operator": operator})
    result = result_of(run.start("Refund order 5531."))
    assert run.interrupts == []
    assert "invalid arguments: amount" in result.output
    assert run.refunds(5531) == 0


def test_two_irreversible_calls_in_one_reply_are_each_decided(worker_run: Any) -> None:
    refunds = [
        {
            "order_id": 5531,
            "customer_id": 1042,
            "amount": "129.00",
            "currency": "USD",
            "reason": "duplicate charge",
        },
        {
            "order_id": 5602,
            "customer_id": 1077,
            "amount": "49.00",
            "currency": "EUR",
            "reason": "duplicate charge",
        },
    ]

    def operator(turn: Turn) -> Any:
        if not turn.tool_results:
            calls = [
                tool_call("issue_refund", a, salt=i).tool_calls[0] for i, a in enumerate(refunds)
            ]
            from langchain_core.messages import AIMessage

            return AIMessage(content="Refund both.", tool_calls=calls)
        return "; ".join(m.text for m in turn.tool_results)

    run = worker_run("operator", {"operator": operator})
    run.start("Refund orders 5531 and 5602.")
    (first,) = run.interrupts
    assert first.value["args"]["order_id"] == 5531
    run.resume({first.id: {"type": "approve"}})
    (second,) = run.interrupts
    assert second.value["args"]["order_id"] == 5602
    assert run.refunds(5531) == 0  # nothing runs until every call of the reply is decided
    out = run.resume({second.id: {"type": "reject", "message": "not this one"}})
    result = result_of(out)
    assert (run.refunds(5531), run.refunds(5602)) == (1, 0)
    assert "Rejected by a human: not this one" in result.output
    assert [e["args"]["order_id"] for e in result.effects] == [5531]


def test_a_model_outage_stops_the_step_where_it_was(worker_run: Any) -> None:
    def down(turn: Turn) -> Any:
        raise ConnectionError("connection refused")

    run = worker_run("analyst", {"analyst": down})
    with pytest.raises(ModelUnavailable) as info:
        run.start("Check order 5531.")
    assert "analyst: model fake-fast failed: ConnectionError: connection refused" in str(info.value)
