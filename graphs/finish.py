"""The finish node: settle the turn's status against its contract, and its final answer.

A turn ends ``failed`` or ``budget_exhausted`` when a step did, ``budget_exhausted`` when
the planner hit its cap, ``unresolved`` when every step ran but the turn's contract does
not hold (``graphs.contract``), and ``done`` only otherwise.
"""

from __future__ import annotations

from typing import Any

from graphs.contract import unmet
from state.graph_state import OrchestratorState, RunStatus
from state.views import results_of, route_of


def finish(state: OrchestratorState) -> dict[str, Any]:
    """Settle the run's status and make sure there is a final answer."""
    results = results_of(state)
    status: RunStatus = state.get("status") or "running"
    route = route_of(state)
    replanning = (
        route is not None and route.route == "orchestrate" and not state.get("planner_done")
    )
    cap_error = None
    if status == "running":
        if any(r.status == "budget_exhausted" for r in results.values()):
            status = "budget_exhausted"
        elif any(r.status == "failed" for r in results.values()):
            status = "failed"
        elif stopped_for := [sid for sid, r in results.items() if r.resume]:
            # A step stopped (for a redone draft) and never ran on: its work is not done.
            status = "failed"
            cap_error = f"{', '.join(stopped_for)} stopped before finishing and did not run on"
        elif replanning:  # synthesize was reached by the iteration cap, not by "done"
            status = "budget_exhausted"
            cap_error = f"planner reached its cap of {state.get('plan_iterations', 0)} iterations"
        elif reason := unmet(
            route.route if route else None,
            state.get("request", ""),
            results,
            state.get("ticket_id"),
            len(state.get("turns") or []),
        ):
            status = "unresolved"
            cap_error = f"unresolved: {reason}"
        else:
            status = "done"
    answer = state.get("final_answer") or ""
    if not answer and route is not None and route.route == "answer" and "answer" in results:
        found = results["answer"]
        answer = found.output + (
            f"\nSources: {', '.join(found.citations)}" if found.citations else ""
        )
    if not answer:
        parts = [
            f"- {sid} ({r.worker}, {r.status}): {r.output or r.error}" for sid, r in results.items()
        ]
        answer = f"Run ended ({status}): {state.get('error') or 'see step results'}"
        if parts:
            answer += "\nPartial results:\n" + "\n".join(parts)
    if status == "unresolved" and cap_error:
        answer += f"\n\nNot resolved: {cap_error.removeprefix('unresolved: ')}."
    errors = [f"{sid}: {r.error}" for sid, r in results.items() if r.error]
    error = (
        state.get("error")
        or cap_error
        or ("; ".join(errors) if status != "done" and errors else None)
    )
    return {"status": status, "final_answer": answer, "error": error}
