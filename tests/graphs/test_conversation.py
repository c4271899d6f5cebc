"""A thread is a conversation: turns arrive as chat messages or requests, history stays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph_run import Run
from langchain_core.messages import AIMessage, HumanMessage

from persistence.budget import BudgetBook
from state.views import plan_of, results_of, route_of

DOUBLE_CHARGE = "Customer 1042 was charged twice for order 5531. Refund the duplicate."
BUG = "The dashboard shows a blank page after login for customer 1003."


def chat(run: Run, text: str) -> dict[str, Any]:
    """One turn as a chat UI sends it: a human message dict."""
    out: dict[str, Any] = run.graph.invoke(
        {"messages": [{"type": "human", "content": text}]}, run.config, durability="sync"
    )
    return out


def test_a_chat_message_starts_a_turn_and_its_answer_is_appended(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    chat(run, DOUBLE_CHARGE)
    assert [i.value["name"] for i in run.interrupts] == ["issue_refund"]
    out = run.approve_all()
    assert out["status"] == "done"
    human, answer = out["messages"]
    assert isinstance(human, HumanMessage) and human.content == DOUBLE_CHARGE
    assert isinstance(answer, AIMessage) and answer.content == out["final_answer"]
    assert answer.response_metadata["baton"] == {"turn": 1, "status": "done"}
    assert run.refunds(5531) == [(12900, "USD")]


def test_a_follow_up_about_the_conversation_answers_from_the_recorded_effects(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    chat(run, DOUBLE_CHARGE)
    run.approve_all()
    refund_id = run.world_rows("SELECT id FROM refunds WHERE order_id = 5531")[0][0]

    out = chat(run, "What did you refund?")
    assert out["turn"] == 2 and out["status"] == "done"
    assert route_of(run.values).route == "recall"
    assert "129.00 USD on order 5531" in out["final_answer"]
    assert refund_id in out["final_answer"] and "[turn 1]" in out["final_answer"]
    # The turn's own fields started fresh; the conversation kept all four messages.
    assert run.values["plan"] == [] and run.values["results"] == {}
    assert [type(m).__name__ for m in out["messages"]] == [
        "HumanMessage",
        "AIMessage",
        "HumanMessage",
        "AIMessage",
    ]
    assert run.refunds(5531) == [(12900, "USD")]  # nothing was done again


def test_a_follow_up_that_refers_back_is_resolved_from_the_earlier_turn(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    chat(run, DOUBLE_CHARGE)
    run.approve_all()
    chat(run, "Please refund the other order too.")
    assert route_of(run.values).route == "orchestrate"
    analyst = next(s for s in plan_of(run.values) if s.worker == "analyst")
    assert "customer 1042" in analyst.instruction and "other than 5531" in analyst.instruction
    found = results_of(run.values)[analyst.id].output
    # Customer 1042's other order (5556) was charged once: nothing to refund, nobody asked.
    assert "No duplicate charge found" in found
    assert run.interrupts == []
    assert run.refunds(5556) == []


def test_each_turn_has_its_own_budget(make_run: Callable[..., Run]) -> None:
    run = make_run(max_model_calls=12)
    chat(run, DOUBLE_CHARGE)
    run.approve_all()
    book = BudgetBook(run.settings.db_path, database=run.settings.database)
    first = book.usage(run.thread, 1).model_calls
    assert first > 6
    out = chat(run, BUG)
    assert out["status"] == "done"
    assert book.usage(run.thread, 2).model_calls == 3  # triage, extract, summarize
    assert book.usage(run.thread).model_calls == first + 3


def test_a_request_in_a_later_turn_files_its_own_ticket(make_run: Callable[..., Run]) -> None:
    run = make_run()
    first = run.start(BUG)
    second = run.start(BUG)  # the same words again are a new turn, not a replay
    assert first["ticket_id"] != second["ticket_id"]
    assert len(run.world_rows("SELECT id FROM tickets")) == 2
    assert [t["ticket_id"] for t in run.values["turns"]] == [
        first["ticket_id"],
        second["ticket_id"],
    ]


def test_a_turn_with_no_request_fails_with_the_reason(make_run: Callable[..., Run]) -> None:
    run = make_run()
    out = run.graph.invoke({"messages": []}, run.config)
    assert out["status"] == "failed"
    assert out["error"] == "the turn has no request: send a human message"
    assert run.log.turns == []  # no model was asked anything


def test_history_sent_by_a_chat_client_reaches_the_models(make_run: Callable[..., Run]) -> None:
    run = make_run()
    history = [
        HumanMessage("Hi, I am Dana (customer 1042)."),
        AIMessage("Hello Dana, how can I help?"),
        HumanMessage("What is your refund policy for annual plans?"),
    ]
    out = run.graph.invoke({"messages": history}, run.config)
    assert out["status"] == "done"
    (triage,) = [t for t in run.log.turns if t.key == "Route"]
    assert "user: Hi, I am Dana (customer 1042)." in triage.task
    assert "assistant: Hello Dana, how can I help?" in triage.task
    assert triage.field("Request") == "What is your refund policy for annual plans?"
