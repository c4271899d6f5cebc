"""Raising the budget of a turn that ran out, and continuing it from where it stopped.

A turn that ends ``budget_exhausted`` has finished as far as LangGraph is concerned. To go
on with more budget, the turn's caps are raised (``BudgetBook.raise_limits``) and its state
is put back where it stopped with ``update_state(..., as_node=...)``, LangGraph's way of
writing state as a node would: the steps that ran out run on (with the effects they
already made, so an issued refund is not proposed again), finished steps are kept, and the
turn's answer and record are taken back so the turn is answered once, when it ends. The
caller then streams ``None`` on the thread, as for any resume.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, RemoveMessage
from langgraph.types import Overwrite

from graphs.settings import Settings
from persistence.budget import BudgetBook, Limits
from state.usage import Usage
from state.views import results_of, route_of

LIMIT_KEYS = ("model_calls", "tool_calls", "tokens")


class CannotContinue(ValueError):
    """The thread's turn did not run out of budget, or more budget would not help it."""


def raised_limits(current: Limits, used: Usage, asked: dict[str, int]) -> Limits:
    """The new caps: each asked value must be above what the turn already used."""
    spent = {
        "model_calls": used.model_calls,
        "tool_calls": used.tool_calls,
        "tokens": used.input_tokens + used.output_tokens,
    }
    for key, value in asked.items():
        if key not in LIMIT_KEYS:
            raise CannotContinue(f"unknown budget {key!r}; use {', '.join(LIMIT_KEYS)}")
        if value <= spent[key]:
            raise CannotContinue(f"{key}={value} is not above the {spent[key]} this turn used")
    values = {key: asked.get(key, getattr(current, key)) for key in LIMIT_KEYS}
    return Limits(**values)


def _resume_point(values: dict[str, Any], update: dict[str, Any]) -> str:
    """The node the turn goes on after, as if it had just written ``update``."""
    route = route_of(values)
    if route is None:
        return "start_turn"  # triage ran out: triage again
    if route.route == "ticket":
        if values.get("ticket_fields") is None:
            return "triage"
        return "extract" if values.get("ticket_summary") is None else "summarize"
    if route.route == "recall":
        return "triage"
    ran_out = {sid: r for sid, r in results_of(values).items() if r.status == "budget_exhausted"}
    if ran_out:
        update["results"] = {
            sid: r.model_copy(update={"status": "ok", "error": None, "resume": True}).model_dump(
                mode="json"
            )
            for sid, r in ran_out.items()
        }
    elif route.route == "orchestrate" and not values.get("planner_done"):
        # The planner itself ran out: that attempt does not count as an iteration.
        update["plan_iterations"] = max(0, int(values.get("plan_iterations") or 0) - 1)
    return "collect"


@dataclass(frozen=True)
class Continuation:
    """What continuing a turn writes: its raised caps, and its state as of ``as_node``."""

    thread_id: str
    turn: int
    limits: Limits
    update: dict[str, Any]
    as_node: str

    def apply(self, graph: Any, config: Any, book: BudgetBook) -> None:
        """Record the caps and put the turn back where it stopped."""
        book.raise_limits(self.thread_id, self.turn, self.limits)
        graph.update_state(config, self.update, as_node=self.as_node)


def continue_turn(
    graph: Any, config: Any, book: BudgetBook, settings: Settings, asked: dict[str, int]
) -> Limits:
    """Raise the caps of the thread's exhausted turn and put it back where it stopped."""
    plan = continuation(graph, config, book, settings, asked)
    plan.apply(graph, config, book)
    return plan.limits


def continuation(
    graph: Any, config: Any, book: BudgetBook, settings: Settings, asked: dict[str, int]
) -> Continuation:
    """What continuing the thread's exhausted turn would write; reads only.

    Raises ``CannotContinue`` if the latest turn did not end ``budget_exhausted`` or ran
    into a cap that a budget does not raise.
    """
    snapshot = graph.get_state(config)
    values = dict(snapshot.values or {})
    thread = str(config["configurable"]["thread_id"])
    if snapshot.next or values.get("status") != "budget_exhausted":
        status = "waiting or running" if snapshot.next else values.get("status") or "not started"
        raise CannotContinue(
            f"--budget continues a turn that ran out of budget; {thread} is {status}"
        )
    if "planner reached its cap" in str(values.get("error") or ""):
        raise CannotContinue(
            "the planner reached its iteration cap (BATON_MAX_PLAN_ITERATIONS), which "
            "--budget does not raise"
        )
    turn = int(values.get("turn") or 1)
    default = Limits(settings.max_model_calls, settings.max_tool_calls, settings.max_tokens)
    limits = raised_limits(book.limits_for(thread, turn, default), book.usage(thread, turn), asked)
    update: dict[str, Any] = {"status": "running", "error": None, "final_answer": ""}
    messages = values.get("messages") or []
    if messages and isinstance(messages[-1], AIMessage) and messages[-1].id:
        update["messages"] = [RemoveMessage(id=messages[-1].id)]  # the "ran out" answer
    turns = values.get("turns") or []
    if turns and turns[-1].get("turn") == turn:
        update["turns"] = Overwrite(turns[:-1])
    return Continuation(thread, turn, limits, update, _resume_point(values, update))
