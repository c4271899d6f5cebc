"""Where an orchestrated run goes next: reviews, revisions, ready steps, planner, end.

Pure functions of the state, used as the conditional edges after the planner and after
every round of workers, so a resumed run makes the same choices as the original.
"""

from __future__ import annotations

from typing import Any

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


def _task(
    state: OrchestratorState,
    step: Step,
    feedback: list[str],
    revision: int,
    done: list[dict[str, Any]] | None = None,
) -> WorkerTask:
    results = results_of(state)
    drafts: dict[str, dict[str, Any]] = {}
    for dep in step.depends_on:  # what the step's calls build on, to tell when it goes stale
        found = results.get(dep)
        if found is not None and found.draft is not None:
            drafts[dep] = {"revision": found.revision, **found.draft.model_dump(mode="json")}
    task: WorkerTask = {
        "request": state.get("request", ""),
        "history": state.get("history", ""),
        "turn": state.get("turn") or 1,
        "step": step.model_dump(mode="json"),
        "context": render_context(step, results),
        "feedback": feedback,
        "revision": revision,
        "drafts": drafts,
    }
    if done:
        task["done_effects"] = done
    return task


def _redo_pending(results: dict[str, WorkerResult], dep: str, seen: dict[str, Any]) -> bool:
    """The draft of ``dep`` is still the revision a human's edit made stale."""
    result = results.get(dep)
    return result is not None and result.revision <= int(seen.get("revision", 0))


def redo_sends(state: OrchestratorState) -> list[Send]:
    """Send each draft a human's edit made stale back to its writer, with the change."""
    steps = {s.id: s for s in plan_of(state)}
    results = results_of(state)
    asked: dict[str, list[str]] = {}
    for result in results.values():
        for dep, seen in result.redo.items():
            if dep in steps and _redo_pending(results, dep, seen):
                asked.setdefault(dep, []).extend(seen.get("reasons", []))
    return [
        Send(steps[dep].worker, _task(state, steps[dep], reasons, results[dep].revision + 1))
        for dep, reasons in asked.items()
    ]


def revision_sends(state: OrchestratorState, settings: Settings) -> list[Send]:
    """Send failed drafts back to their writer with the reasons, within the cap."""
    sends = redo_sends(state)
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
    if result is None or result.status != "ok" or result.resume:  # resume: not finished yet
        return False
    return result.draft is None or state.get("approved_drafts", {}).get(dep) == result.revision


def ready_sends(state: OrchestratorState) -> list[Send]:
    """Steps not run yet, or stopped before finishing, whose dependencies are satisfied.

    A stopped step (``WorkerResult.resume``) runs on as its next revision, with the effects
    it already made, once every draft it waits to be redone is.
    """
    results = results_of(state)
    sends = []
    for step in plan_of(state):
        if not all(dependency_ready(state, d) for d in step.depends_on):
            continue
        result = results.get(step.id)
        if result is None:
            sends.append(Send(step.worker, _task(state, step, [], 0)))
        elif result.resume and not any(
            _redo_pending(results, dep, seen) for dep, seen in result.redo.items()
        ):
            task = _task(state, step, [], result.revision + 1, result.effects)
            sends.append(Send(step.worker, task))
    return sends


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
