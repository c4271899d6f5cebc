"""Typed reads of the plain data that graph state holds.

State holds each boundary model as its JSON data (see ``state.graph_state``); nodes,
edges and the CLI read it back through these functions, which validate it into the
model again. A value that is already a model (a thread written before state held plain
data) passes through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from state.draft import Draft, ReviewVerdict
from state.plan import Step
from state.results import WorkerResult
from state.route import Route
from state.ticket import TicketFields, TicketSummary


def route_of(state: Mapping[str, Any]) -> Route | None:
    """Triage's decision for the current turn, if it made one."""
    value = state.get("route")
    return None if value is None else Route.model_validate(value)


def plan_of(state: Mapping[str, Any]) -> list[Step]:
    """Every step planned in the current turn, in order."""
    return [Step.model_validate(s) for s in state.get("plan") or ()]


def results_of(state: Mapping[str, Any]) -> dict[str, WorkerResult]:
    """The current turn's worker results, by step id."""
    return {k: WorkerResult.model_validate(v) for k, v in (state.get("results") or {}).items()}


def verdicts_of(state: Mapping[str, Any]) -> list[ReviewVerdict]:
    """Every review verdict of the current turn, in arrival order."""
    return [ReviewVerdict.model_validate(v) for v in state.get("review_verdicts") or ()]


def draft_of(value: Any) -> Draft | None:
    """A draft held in state (or a task), if there is one."""
    return None if value is None else Draft.model_validate(value)


def ticket_fields_of(state: Mapping[str, Any]) -> TicketFields | None:
    """The ticket chain's extraction, if it made one."""
    value = state.get("ticket_fields")
    return None if value is None else TicketFields.model_validate(value)


def ticket_summary_of(state: Mapping[str, Any]) -> TicketSummary | None:
    """The ticket chain's summary, if it made one."""
    value = state.get("ticket_summary")
    return None if value is None else TicketSummary.model_validate(value)
