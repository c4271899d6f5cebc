"""How a finished run went, read from the thread's state: run status, thread status, result.

A run is ``success`` when its graph ran to the end of the turn (the orchestrator's ``status``
is ``done``, or ``unresolved``: every step ran but the turn's contract does not hold, and the
thread's values carry that status and the reason in ``error``, so a client reads it there),
or ran to an approval it now waits for (the thread is then ``interrupted``). A turn that
ended ``failed`` or ``budget_exhausted``, or a worker whose result is not ``ok``, makes the
run ``error`` with the reason, so no client is told a run succeeded when it did not do its
job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langgraph.types import StateSnapshot

from baton.service import wire
from baton.service.state_view import interrupt_json
from persistence.runs import RunStatus
from persistence.threads import ThreadStatus


@dataclass(frozen=True)
class Outcome:
    """A finished run's statuses, what ``join`` returns, and the error event, if any."""

    run_status: RunStatus
    thread_status: ThreadStatus
    result: dict[str, Any]
    error: dict[str, str] | None = None


def _turn_failure(values: dict[str, Any]) -> dict[str, str] | None:
    status = values.get("status")
    if status is not None:
        if status in ("done", "unresolved"):
            return None
        if status in ("failed", "budget_exhausted"):
            return {"error": str(status), "message": str(values.get("error") or status)}
        return {"error": "Incomplete", "message": f"the turn stopped with status {status}"}
    for result in (values.get("results") or {}).values():
        result_status = getattr(result, "status", None) or (
            result.get("status") if isinstance(result, dict) else None
        )
        if result_status not in (None, "ok"):
            reason = getattr(result, "error", None) or str(result_status)
            return {"error": str(result_status), "message": str(reason)}
    return None


def outcome_of(snapshot: StateSnapshot, waiting: list[Any]) -> Outcome:
    """The outcome of a run that ended (without raising) at ``snapshot``."""
    values = dict(snapshot.values or {})
    result = wire.loads(wire.dumps(values)) if values else {}
    if waiting:
        result["__interrupt__"] = [interrupt_json(item) for item in waiting]
        return Outcome("success", "interrupted", result)
    if snapshot.next:  # stopped at a breakpoint (interrupt_before / interrupt_after)
        return Outcome("success", "interrupted", result)
    failure = _turn_failure(values)
    if failure is not None:
        return Outcome("error", "error", {**result, "__error__": failure}, failure)
    return Outcome("success", "idle", result)


def error_outcome(kind: str, message: str, thread_status: ThreadStatus = "error") -> Outcome:
    """The outcome of a run whose graph raised."""
    error = {"error": kind, "message": message}
    return Outcome("error", thread_status, {"__error__": error}, error)
