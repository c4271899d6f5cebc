"""Where an orchestrated run goes next: reviews, revisions, ready steps, planner, end.

Pure functions of the state, used as the conditional edges after the planner and after
every round of workers, so a resumed run makes the same choices as the original.
"""

from __future__ import annotations

from langgraph.types import Send

from agents.review import RULES
from agents.task_message import render_context
from graphs.settings import Settings
from state.graph_state import OrchestratorState, ReviewTask, WorkerTask
from state.plan import Step
from state.results import WorkerResult
from state.views import plan_of, results_of, route_of, verdicts_of


def verdicts_for(state: OrchestratorState, step_id: str, revision: int) -> dict[str, list[str]]:
    """Rule -> failure reasons for one draft revision (empty list = passed)."""
    found: dict[str, list[str]] = {}
    for verdict in verdicts_of(state):
        if verdict.step_id == step_id and verdict.revision == revision:
            found[verdict.rule] = [] if verdict.passed else verdict.reasons
    return found


def _reviewable(result: WorkerResult) -> bool:
    return result.status == "ok" and result.draft is not None


def review_sends(state: OrchestratorState) -> list[Send]:
    """One ``Send`` per rule for each draft revision not reviewed yet."""
    sends = []
    for step_id, result in results_of(state).items():
        if not _reviewable(result) or verdicts_for(state, step_id, result.revision):
            continue
        assert result.draft is not None
        for rule in RULES:
            task: ReviewTask = {
                "turn": state.get("turn") or 1,
                "rule": rule,
                "step_id": step_id,
                "revision": result.revision,
                "draft": result.draft.model_dump(mode="json"),
            }
            sends.append(Send("review", task))
    return sends


def _task(state: OrchestratorState, step: Step, feedback: list[str], revision: int) -> WorkerTask:
    return {
        "request": state.get("request", ""),
        "history": state.get("history", ""),
        "turn": state.get("turn") or 1,
        "step": step.model_dump(mode="json"),
        "context": render_context(step, results_of(state)),
        "feedback": feedback,
        "revision": revision,
    }


def revision_sends(state: OrchestratorState, settings: Settings) -> list[Send]:
    """Send failed drafts back to their writer with the reasons, within the cap."""
    sends = []
    steps = {s.id: s for s in plan_of(state)}
    for step_id, result in results_of(state).items():
        if not _reviewable(result) or step_id not in steps:
            continue
        verdicts = verdicts_for(state, step_id, result.revision)
        reasons = [f"{rule}: {r}" for rule, rs in sorted(verdicts.items()) for r in rs]
        if (
            len(verdicts) == len(RULES)
            and reasons
            and result.revision < settings.max_review_revisions
        ):
            step = steps[step_id]
            sends.append(Send(step.worker, _task(state, step, reasons, result.revision + 1)))
    return sends


def dependency_ready(state: OrchestratorState, dep: str) -> bool:
    """A dependency is satisfied when it succeeded and any draft it made was approved."""
    result = results_of(state).get(dep)
    if result is None or result.status != "ok":
        return False
    return result.draft is None or state.get("approved_drafts", {}).get(dep) == result.revision


def ready_sends(state: OrchestratorState) -> list[Send]:
    """Steps not run yet whose dependencies are all satisfied."""
    results = results_of(state)
    return [
        Send(step.worker, _task(state, step, [], 0))
        for step in plan_of(state)
        if step.id not in results and all(dependency_ready(state, d) for d in step.depends_on)
    ]


def next_moves(state: OrchestratorState, settings: Settings) -> list[Send] | str:
    """The conditional edge after the planner and after each round of work."""
    if state.get("status") in ("failed", "budget_exhausted"):
        return "finish"
    results = results_of(state)
    if any(r.status == "budget_exhausted" for r in results.values()):
        return "finish"
    reviews = review_sends(state)
    if reviews:
        return reviews
    work = revision_sends(state, settings) + ready_sends(state)
    if work:
        return work
    route = route_of(state)
    if route is not None and route.route == "answer":
        return "synthesize"
    if state.get("planner_done") or state.get("plan_iterations", 0) >= settings.max_plan_iterations:
        return "synthesize"
    return "plan"
