"""Graph states: the orchestrator's and the worker subgraphs', with their reducers.

Annotations here are evaluated at import (no ``from __future__ import annotations``):
LangGraph reads these TypedDicts' type hints many times while compiling, and evaluating
them from strings on every read cost a few milliseconds of every process's start.
"""

import operator
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.channels.delta import DeltaChannel
from langgraph.graph.message import _messages_delta_reducer

from state.draft import Draft, ReviewVerdict
from state.plan import Step
from state.results import WorkerResult
from state.route import Route
from state.ticket import TicketFields, TicketSummary

MESSAGES_SNAPSHOT_EVERY = 100
"""Updates of a worker's ``messages`` between two full snapshots in its checkpoints."""

RunStatus = Literal["running", "done", "failed", "budget_exhausted"]


def merge_results(
    left: dict[str, WorkerResult] | None, right: dict[str, WorkerResult] | None
) -> dict[str, WorkerResult]:
    """Merge worker results by step id; a later result for a step replaces the earlier one."""
    merged = dict(left or {})
    merged.update(right or {})
    return merged


def extend_plan(left: list[Step] | None, right: list[Step] | None) -> list[Step]:
    """Append new steps to the plan, keeping the first definition of any id."""
    steps = list(left or [])
    seen = {s.id for s in steps}
    for step in right or []:
        if step.id not in seen:
            steps.append(step)
            seen.add(step.id)
    return steps


def merge_counts(left: dict[str, int] | None, right: dict[str, int] | None) -> dict[str, int]:
    """Merge per-key counters, keeping the larger value (counts only grow)."""
    merged = dict(left or {})
    for key, value in (right or {}).items():
        merged[key] = max(merged.get(key, 0), value)
    return merged


class InputState(TypedDict):
    """What a caller sends to start a run."""

    request: str
    """The user's request, in plain language."""


class OrchestratorState(TypedDict, total=False):
    """The whole state of one run (one thread)."""

    request: str
    """The user's request."""
    route: Route
    """Triage's decision."""
    plan: Annotated[list[Step], extend_plan]
    """Every step planned so far, in order."""
    plan_iterations: int
    """How many times the planner has been asked."""
    planner_done: bool
    """The planner said the results answer the request."""
    results: Annotated[dict[str, WorkerResult], merge_results]
    """Worker results keyed by step id."""
    review_verdicts: Annotated[list[ReviewVerdict], operator.add]
    """Every rule verdict on every draft revision, in arrival order."""
    approved_drafts: Annotated[dict[str, int], merge_counts]
    """Step id -> revision number of a draft that passed every review rule."""
    ticket_fields: TicketFields
    """The ticket chain's extraction."""
    ticket_summary: TicketSummary
    """The ticket chain's summary."""
    ticket_id: int
    """The ticket filed in the business db."""
    final_answer: str
    """What the user is told at the end."""
    status: RunStatus
    """running until the end; then done, failed or budget_exhausted."""
    error: str | None
    """Why the run failed or stopped early."""


class OutputState(TypedDict, total=False):
    """What a caller reads at the end of a run."""

    final_answer: str
    status: RunStatus
    error: str | None
    results: dict[str, WorkerResult]
    ticket_id: int


class WorkerTask(TypedDict, total=False):
    """The input a worker subgraph receives through ``Send``."""

    request: str
    """The user's original request, for context."""
    step: Step
    """The step to carry out."""
    context: str
    """Results of the steps this one depends on, as text."""
    feedback: list[str]
    """Reviewer reasons, when a draft was sent back."""
    revision: int
    """Revision number (0 for the first attempt)."""


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
    draft: Draft | None
    """The latest draft saved by the writer's tool."""
    effects: Annotated[list[dict[str, Any]], operator.add]
    """Irreversible effects executed, with their recorded results."""
    citations: Annotated[list[str], operator.add]
    """Sources the step's tools returned ('doc#section')."""
    decisions: dict[str, dict[str, Any]]
    """Human decisions on the pending irreversible calls, by tool call id."""
    failure: str | None
    """Set when the step cannot continue (model error, budget, cap)."""
    failure_status: Literal["failed", "budget_exhausted"]
    """Which kind of failure ``failure`` is."""
    results: Annotated[dict[str, WorkerResult], merge_results]
    """The step's result, keyed by step id (the subgraph's output)."""


class WorkerOutput(TypedDict):
    """What a worker subgraph returns to the orchestrator."""

    results: Annotated[dict[str, WorkerResult], merge_results]


class ReviewTask(TypedDict):
    """The input of one rule check, sent per rule."""

    rule: str
    step_id: str
    revision: int
    draft: Draft
