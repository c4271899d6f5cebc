"""A turn ends ``done`` only when its contract holds; otherwise ``unresolved`` with the reason."""

from __future__ import annotations

from collections.abc import Callable

from fakes import Turn, tool_call
from graph_run import Run

DOUBLE_CHARGE = (
    "Customer 1042 was charged twice for order 5531. Please refund the duplicate charge "
    "and let them know by email."
)
POLICY = "How long does a refund take to arrive?"


def _says(text: str) -> Callable[[Turn], str]:
    return lambda turn: text


NO_TOOLS = {
    worker: _says(f"As the {worker}, I took care of it.")
    for worker in ("researcher", "analyst", "writer", "operator")
}
"""Workers that answer at once, never calling a tool (what a model ignoring tools does)."""


def test_money_request_whose_workers_never_call_tools_is_unresolved(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(NO_TOOLS)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "unresolved"
    assert "money request" in (out["error"] or "")
    assert "Not resolved:" in out["final_answer"]
    assert run.refunds(5531) == []
    assert run.effects() == []


def test_answer_without_a_source_is_unresolved(make_run: Callable[..., Run]) -> None:
    out = make_run(NO_TOOLS).start(POLICY)
    assert out["status"] == "unresolved"
    assert "cites no source" in (out["error"] or "")
    assert "no tool was called" in (out["error"] or "")


def test_claiming_the_knowledge_base_is_empty_without_searching_is_unresolved(
    make_run: Callable[..., Run],
) -> None:
    run = make_run({"researcher": _says("The knowledge base has nothing on this.")})
    out = run.start(POLICY)
    assert out["status"] == "unresolved"


def test_grounded_answer_is_done(make_run: Callable[..., Run]) -> None:
    out = make_run().start(POLICY)
    assert out["status"] == "done", out.get("error")
    assert "#" in out["final_answer"]


def test_searched_and_found_nothing_is_done(make_run: Callable[..., Run]) -> None:
    def empty_search(turn: Turn) -> object:
        if not turn.tool_results:
            return tool_call("kb_search", {"query": "zzqx unheard-of widget", "k": 3})
        return "The knowledge base has nothing on this."

    out = make_run({"researcher": empty_search}).start("What is the zzqx widget warranty?")
    assert out["status"] == "done", out.get("error")


def test_refund_approved_is_done(make_run: Callable[..., Run]) -> None:
    approved = make_run()
    approved.start(DOUBLE_CHARGE)
    out = approved.approve_all()
    assert out["status"] == "done", out.get("error")
    assert approved.refunds(5531)

    again = make_run(thread="again")  # the same request later: nothing more is owed
    out = again.start(DOUBLE_CHARGE)
    assert out["status"] == "done", out.get("error")
    assert "already been refunded" in out["final_answer"]


def test_refund_rejected_by_a_human_is_done(make_run: Callable[..., Run]) -> None:
    rejected = make_run()
    rejected.start(DOUBLE_CHARGE)
    pending = rejected.pending("issue_refund")
    out = rejected.resume({pending.id: {"type": "reject", "message": "not this one"}})
    out = rejected.approve_all()
    assert out["status"] == "done", out.get("error")
    assert rejected.refunds(5531) == []


def test_ticket_route_files_a_ticket_and_is_done(make_run: Callable[..., Run]) -> None:
    out = make_run().start("Bug report: the mobile app crashes when I tap Export.")
    assert out["status"] == "done", out.get("error")
    assert out["ticket_id"] is not None


def test_turn_finished_event_carries_unresolved(make_run: Callable[..., Run]) -> None:
    run = make_run(NO_TOOLS)
    events = [
        chunk
        for _, chunk in run.graph.stream(
            {"request": POLICY}, run.config, stream_mode="custom", subgraphs=True
        )
    ]
    (finished,) = [e for e in events if e["event"] == "turn_finished"]
    assert finished["status"] == "unresolved"
    assert "cites no source" in finished["error"]
