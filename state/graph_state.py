"""Graph states: the orchestrator's and the worker subgraphs', with their reducers.

A thread is a conversation: ``messages`` keeps every turn, and the per-turn fields (route,
plan, results, drafts, review, status, failure) start fresh at each turn's first node.
The TypedDicts come from ``typing_extensions`` so that pydantic can build their JSON
schemas on Python 3.11 (Studio draws its input form and state view from them).

State holds plain data only: JSON values and LangChain messages. The pydantic models of
``state/`` validate every value at the boundary where it is made, and ``state.views``
reads it back typed; what is checkpointed is their ``model_dump(mode="json")``. A
LangGraph server with a strict checkpoint serializer (``LANGGRAPH_STRICT_MSGPACK=true``)
loads it without any allowlist, and a state edited as JSON (Studio, the server API's
``update_state``) has the same shape as one the graph wrote.

Annotations here are evaluated at import (no ``from __future__ import annotations``):
LangGraph reads these TypedDicts' type hints many times while compiling, and evaluating
them from strings on every read cost a few milliseconds of every process's start.
"""

import operator
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.channels.delta import DeltaChannel
from langgraph.graph.message import _messages_delta_reducer, add_messages
from pydantic import BaseModel
from typing_extensions import TypedDict

MESSAGES_SNAPSHOT_EVERY = 100
"""Updates of a worker's ``messages`` between two full snapshots in its checkpoints."""

RunStatus = Literal["running", "done", "unresolved", "failed", "budget_exhausted"]
"""``unresolved``: every step ran, but the turn's contract does not hold (an answer that
cites nothing the tools returned, a money request with neither a verified refund nor a
finding that none is due, a ticket not filed); ``error`` says which (``graphs.contract``)."""

PER_TURN_FIELDS = (
    "route",
    "plan",
    "plan_iterations",
    "planner_done",
    "results",
    "review_verdicts",
    "approved_drafts",
    "ticket_fields",
    "ticket_summary",
    "ticket_id",
    "final_answer",
    "answer_id",
    "status",
    "error",
)
"""State fields that describe one turn; each turn's first node resets them."""


Data = dict[str, Any]
"""One of ``state/``'s pydantic models (Route, Step, WorkerResult, ...) as JSON data."""


def as_data(value: Any) -> Any:
    """A model as its JSON data (threads written before state held plain data had models)."""
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def merge_results(left: dict[str, Data] | None, right: dict[str, Data] | None) -> dict[str, Data]:
    """Merge worker results by step id; a later result for a step replaces the earlier one."""
    merged = {k: as_data(v) for k, v in (left or {}).items()}
    merged.update({k: as_data(v) for k, v in (right or {}).items()})
    return merged


def extend_plan(left: list[Data] | None, right: list[Data] | None) -> list[Data]:
    """Append new steps to the plan, keeping the first definition of any id."""
    steps = [as_data(s) for s in left or []]
    seen = {s["id"] for s in steps}
    for step in map(as_data, right or []):
        if step["id"] not in seen:
            steps.append(step)
            seen.add(step["id"])
    return steps


def merge_counts(left: dict[str, int] | None, right: dict[str, int] | None) -> dict[str, int]:
    """Merge per-key counters, keeping the larger value (counts only grow)."""
    merged = dict(left or {})
    for key, value in (right or {}).items():
        merged[key] = max(merged.get(key, 0), value)
    return merged


class TurnRecord(TypedDict):
    """What one finished turn did, kept for later turns (plain data, no model types)."""

    turn: int
    message_id: str
    """Id of the human message the turn answered."""
    request: str
    route: str
    status: str
    answer: str
    effects: list[dict[str, Any]]
    """Irreversible effects done in the turn: tool, args and recorded result."""
    ticket_id: int | None


class InputState(TypedDict):
    """What a caller sends to start a turn: chat messages, or a request as plain text."""

    messages: NotRequired[Annotated[list[AnyMessage], add_messages]]
    """LangChain messages (or their dicts); the last human message is the turn's request."""
    request: NotRequired[str]
    """The turn's request as plain text, appended to ``messages`` as a human message."""


class OrchestratorState(TypedDict, total=False):
    """The whole state of one thread: the conversation and its current turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation: each turn's human message and Baton's answer (an AIMessage)."""
    request: str
    """The current turn's request (the text of its human message)."""
    turn: int
    """Turns started on this thread; 1 for the first."""
    turn_message_id: str
    """Id of the human message the current turn answers."""
    history: str
    """A compact digest of the earlier turns, for the models of this turn."""
    turns: Annotated[list[TurnRecord], operator.add]
    """One record per finished turn, oldest first."""
    route: Data | None
    """Triage's decision (a ``state.route.Route``)."""
    plan: Annotated[list[Data], extend_plan]
    """Every step planned so far, in order (``state.plan.Step``s)."""
    plan_iterations: int
    """How many times the planner has been asked."""
    planner_done: bool
    """The planner said the results answer the request."""
    results: Annotated[dict[str, Data], merge_results]
    """Worker results keyed by step id (``state.results.WorkerResult``s)."""
    review_verdicts: Annotated[list[Data], operator.add]
    """Every rule verdict on every draft revision, in arrival order (``ReviewVerdict``s)."""
    approved_drafts: Annotated[dict[str, int], merge_counts]
    """Step id -> revision number of a draft that passed every review rule."""
    ticket_fields: Data | None
    """The ticket chain's extraction (``state.ticket.TicketFields``)."""
    ticket_summary: Data | None
    """The ticket chain's summary (``state.ticket.TicketSummary``)."""
    ticket_id: int | None
    """The ticket filed in the business db."""
    final_answer: str
    """What the user is told at the end of the turn (also its AIMessage's text)."""
    answer_id: str | None
    """Id of the streamed model message that carried the final answer, if one did."""
    status: RunStatus
    """running until the end; then done, unresolved, failed or budget_exhausted."""
    error: str | None
    """Why the run failed or stopped early."""


class OutputState(TypedDict, total=False):
    """What a caller reads at the end of a turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    turn: int
    final_answer: str
    status: RunStatus
    error: str | None
    results: dict[str, Data]
    ticket_id: int | None


class WorkerTask(TypedDict, total=False):
    """The input a worker subgraph receives through ``Send``."""

    request: str
    """The user's original request, for context."""
    history: str
    """A digest of the conversation's earlier turns."""
    turn: int
    """The turn this step belongs to (its budget is the turn's)."""
    step: Data
    """The step to carry out."""
    context: str
    """Results of the steps this one depends on, as text."""
    feedback: list[str]
    """Reviewer reasons, when a draft was sent back."""
    revision: int
    """Revision number (0 for the first attempt)."""
    drafts: dict[str, dict[str, Any]]
    """The drafts of the steps this one depends on, by step id, with their ``revision``."""
    done_effects: list[dict[str, Any]]
    """Effects an earlier run of this step already made (it stopped for a redone draft)."""


class WorkerState(WorkerTask, total=False):
    """A worker subgraph's private state."""

    messages: Annotated[
        list[AnyMessage],
        DeltaChannel(_messages_delta_reducer, snapshot_frequency=MESSAGES_SNAPSHOT_EVERY),
    ]
    """The worker's conversation with its model and tools.

    Stored as deltas: each checkpoint saves only the messages that step added (its
    writes), plus a full snapshot every ``MESSAGES_SNAPSHOT_EVERY`` updates; reading a
    checkpoint replays the writes since the nearest snapshot. Message ids are stable
    (LangGraph stamps missing ones), so a message with a known id replaces that one.
    """
    tool_calls_made: int
    """Tool calls this step has made (capped per worker)."""
    draft: Data | None
    """The latest draft saved by the writer's tool."""
    effects: Annotated[list[dict[str, Any]], operator.add]
    """Irreversible effects executed, with their recorded results."""
    citations: Annotated[list[str], operator.add]
    """Sources the step's tools returned ('doc#section')."""
    decisions: dict[str, dict[str, Any]]
    """Human decisions on the pending irreversible calls, by tool call id."""
    refused: dict[str, str]
    """Why the backend refused a decided call, by tool call id: it is asked again."""
    stale_drafts: dict[str, dict[str, Any]]
    """Drafts (by step id) quoting values a human's edit replaced: their revision and what
    their writer is told. The step stops; it runs on once they are redone and reviewed."""
    failure: str | None
    """Set when the step cannot continue (model error, budget, cap)."""
    failure_status: Literal["failed", "budget_exhausted"]
    """Which kind of failure ``failure`` is."""
    results: Annotated[dict[str, Data], merge_results]
    """The step's result, keyed by step id (the subgraph's output)."""


class WorkerOutput(TypedDict):
    """What a worker subgraph returns to the orchestrator."""

    results: Annotated[dict[str, Data], merge_results]


class ReviewTask(TypedDict):
    """The input of one rule check, sent per rule."""

    turn: NotRequired[int]
    rule: str
    step_id: str
    revision: int
    draft: Data
