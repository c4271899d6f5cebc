"""What a streaming client sees: the answer token by token, progress as versioned events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph_run import Run
from langchain_core.messages import AIMessageChunk
from langgraph.types import Command

from state.events import ProgressEventAdapter

DOUBLE_CHARGE = "Customer 1042 was charged twice for order 5531. Refund the duplicate."


def stream(run: Run, turn_input: Any, *, subgraphs: bool = True) -> list[tuple[str, Any]]:
    items = run.graph.stream(
        turn_input, run.config, stream_mode=["messages", "custom"], subgraphs=subgraphs
    )
    if not subgraphs:
        return list(items)
    return [(mode, data) for _ns, mode, data in items]


def messages_of(seen: list[tuple[str, Any]]) -> list[tuple[Any, dict[str, Any]]]:
    return [data for mode, data in seen if mode == "messages"]


def test_only_the_final_answer_streams_and_it_arrives_in_chunks(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    seen = stream(run, {"request": DOUBLE_CHARGE})
    while run.interrupts:
        decisions = {i.id: {"type": "approve"} for i in run.interrupts}
        seen += stream(run, Command(resume=decisions))
    tokens = [(c, meta) for c, meta in messages_of(seen) if isinstance(c, AIMessageChunk)]
    # Routing, planning and the workers' model calls never stream to a chat client as text
    # (with subgraphs on, a worker's messages arrive whole, as LangGraph sends node output).
    assert {meta["langgraph_node"] for _, meta in tokens} == {"synthesize"}
    assert len(tokens) > 3
    final = run.values["messages"][-1]
    assert "".join(str(c.content) for c, _ in tokens).strip() == final.content
    assert {c.id for c, _ in tokens} == {final.id}


def test_a_chat_client_sees_the_request_and_the_streamed_answer(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    seen = stream(run, {"request": "What is your refund policy for annual plans?"}, subgraphs=False)
    messages = messages_of(seen)
    human = [(m, meta) for m, meta in messages if meta["langgraph_node"] == "start_turn"]
    assert [m.content for m, _ in human] == ["What is your refund policy for annual plans?"]
    answer = [m for m, meta in messages if meta["langgraph_node"] == "synthesize"]
    assert {meta["langgraph_node"] for _, meta in messages} == {"start_turn", "synthesize"}
    assert "".join(str(m.content) for m in answer).strip() == run.values["final_answer"]


def test_a_turn_without_a_model_answer_sends_its_message_whole(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    report = "The export button crashes the mobile app on every tap."
    seen = stream(run, {"request": report}, subgraphs=False)
    messages = [m for m, meta in messages_of(seen) if meta["langgraph_node"] == "respond"]
    assert [m.content for m in messages] == [run.values["final_answer"]]
    assert messages[0].content.startswith("Filed ticket #")


def test_progress_events_are_versioned_and_tell_the_turn_in_order(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    events = [data for mode, data in stream(run, {"request": DOUBLE_CHARGE}) if mode == "custom"]
    for event in events:
        ProgressEventAdapter.validate_python(event)  # every event fits the published schema
        assert event["v"] == 1 and event["thread_id"] == run.thread and event["turn"] == 1
    kinds = [e["event"] for e in events]
    assert kinds[:3] == ["turn_started", "route", "plan"]
    assert kinds[-1] == "approval_waiting"
    assert kinds.count("step_started") == 4  # analyst, researcher, writer, operator
    assert {"tool_called", "review", "draft_approved", "step_finished"} <= set(kinds)
    waiting = events[-1]
    assert waiting["tool"] == "issue_refund" and waiting["args"]["order_id"] == 5531

    decisions = {i.id: {"type": "approve"} for i in run.interrupts}
    after = [d for m, d in stream(run, Command(resume=decisions)) if m == "custom"]
    kinds = [e["event"] for e in after]
    # The resumed approval node does not announce the wait that just ended.
    assert kinds[:2] == ["approval_decided", "effect_done"]
    assert after[1]["tool"] == "issue_refund" and after[1]["decision"] == "approve"
    assert kinds[-1] == "approval_waiting" and after[-1]["tool"] == "send_email"


def test_the_event_schema_is_published() -> None:
    schema = ProgressEventAdapter.json_schema()
    kinds = {ref.split("/")[-1] for ref in schema["discriminator"]["mapping"].values()}
    assert {"TurnStarted", "ApprovalWaiting", "EffectDone", "TurnFinished"} <= kinds
