"""The orchestrator's own nodes: triage, planner, review, collect, synthesize.

``finish``, which settles the turn's status, is ``graphs.finish``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig

from agents.errors import StepFailed
from agents.models.offline_limits import cannot_read
from agents.planner import make_plan
from agents.review import RULES
from agents.router import triage
from agents.synthesizer import recall, synthesize
from graphs.announce import announce, where
from graphs.config import thread_of
from graphs.flow import verdicts_for
from graphs.services import Services
from state.draft import Draft, ReviewVerdict
from state.events import DraftApproved, Planned, Reviewed, Routed
from state.graph_state import OrchestratorState, ReviewTask, RunStatus
from state.plan import Step
from state.usage import BudgetExhausted
from state.views import plan_of, results_of, route_of
from tools.identity import owner_mismatches, with_identity


def stopped(exc: Exception) -> dict[str, Any]:
    """The state update that ends a run after a failed step or an exhausted budget."""
    status: RunStatus = "budget_exhausted" if isinstance(exc, BudgetExhausted) else "failed"
    return {"status": status, "error": str(exc)}


def make_triage_node(services: Services) -> Any:
    """Pick the workflow (fast tier)."""

    def triage_node(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        turn = state.get("turn")
        meter = services.meter(thread_of(config), "triage", turn)
        unreadable = None
        if services.tiers.offline:
            unreadable = cannot_read(state["request"], state.get("history", ""))
        if unreadable is not None:  # the stand-in says so rather than guess a route
            meter.record("cannot_read", reason=unreadable)
            return {
                "status": "unresolved",
                "error": "unresolved: the offline stand-in cannot read this request",
                "final_answer": unreadable,
            }
        try:
            route = triage(
                services.tiers,
                state["request"],
                meter,
                history=state.get("history", ""),
                max_retries=services.settings.structured_retries,
            )
        except (StepFailed, BudgetExhausted) as exc:
            return stopped(exc)
        meter.record("route", route=route.route, reason=route.reason)
        announce(Routed(**where(config, turn), route=route.route, reason=route.reason))
        return {"route": route.model_dump(mode="json"), "status": "running"}

    return triage_node


def answer_plan(state: OrchestratorState) -> dict[str, Any]:
    """The answer route: one researcher step on the request itself."""
    step = Step(id="answer", worker="researcher", instruction=state["request"][:2000])
    return {"plan": [step.model_dump(mode="json")]}


def make_plan_node(services: Services) -> Any:
    """Ask the planner (strong tier) for new steps or done."""

    def plan_node(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        iteration = state.get("plan_iterations", 0) + 1
        turn = state.get("turn")
        meter = services.meter(thread_of(config), f"plan#{iteration}", turn)
        settings = services.settings
        try:
            plan = make_plan(
                services.tiers,
                state["request"],
                plan_of(state),
                results_of(state),
                iteration,
                settings.max_plan_iterations,
                settings.max_plan_steps,
                meter,
                history=state.get("history", ""),
                max_retries=settings.structured_retries,
                irreversible_tools=[n for n, t in services.tools.items() if not t.reversible],
            )
        except (StepFailed, BudgetExhausted) as exc:
            return {**stopped(exc), "plan_iterations": iteration}
        notes = [m.note for m in owner_mismatches(services.world, state["request"])]
        if notes:  # the plan says so, to every worker and to whoever reads the plan
            meter.record("identity", notes=notes)
            plan = plan.model_copy(update={"steps": with_identity(plan.steps, notes)})
        steps = [s.model_dump(mode="json") for s in plan.steps]
        meter.record("plan", steps=steps, done=plan.done)
        announce(Planned(**where(config, turn), iteration=iteration, steps=steps, done=plan.done))
        return {
            "plan": steps,
            "plan_iterations": iteration,
            "planner_done": plan.done or not plan.steps,
        }

    return plan_node


def make_review_node(services: Services) -> Any:
    """Check one draft against one rule (sent once per rule, in parallel)."""

    def review(task: ReviewTask, config: RunnableConfig) -> dict[str, Any]:
        rule = RULES[task["rule"]]
        reasons = rule.check(Draft.model_validate(task["draft"]), services.world)
        verdict = ReviewVerdict(
            step_id=task["step_id"],
            revision=task["revision"],
            rule=rule.name,
            passed=not reasons,
            reasons=reasons,
        )
        services.trace.record(
            thread_of(config), task["step_id"], "review_verdict", verdict.model_dump()
        )
        announce(
            Reviewed(
                **where(config, task.get("turn")),
                step=verdict.step_id,
                revision=verdict.revision,
                rule=verdict.rule,
                passed=verdict.passed,
                reasons=verdict.reasons,
            )
        )
        return {"review_verdicts": [verdict.model_dump(mode="json")]}

    return review


def make_collect_node(services: Services) -> Any:
    """Join after each round: approve reviewed drafts, fail drafts out of revisions."""

    def collect(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        approved: dict[str, int] = {}
        failed = {}
        for step_id, result in results_of(state).items():
            if result.status != "ok" or result.draft is None:
                continue
            verdicts = verdicts_for(state, step_id, result.revision)
            if len(verdicts) < len(RULES):
                continue
            reasons = [f"{rule}: {r}" for rule, rs in sorted(verdicts.items()) for r in rs]
            if not reasons:
                approved[step_id] = result.revision
                if state.get("approved_drafts", {}).get(step_id) != result.revision:
                    announce(
                        DraftApproved(
                            **where(config, state.get("turn")),
                            step=step_id,
                            revision=result.revision,
                        )
                    )
            elif result.revision >= services.settings.max_review_revisions:
                failed[step_id] = result.model_copy(
                    update={
                        "status": "failed",
                        "error": "draft failed review: " + "; ".join(reasons),
                    }
                ).model_dump(mode="json")
        update: dict[str, Any] = {}
        if approved:
            update["approved_drafts"] = approved
        if failed:
            update["results"] = failed
        return update

    return collect


def make_synthesize_node(services: Services) -> Any:
    """Write the final answer (strong tier, streamed, validated).

    From the step results, or, for a question about the conversation itself, from the
    earlier turns.
    """

    def synthesize_node(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        meter = services.meter(thread_of(config), "synthesize", state.get("turn"))
        retries = services.settings.structured_retries
        history = state.get("history", "")
        route = route_of(state)
        try:
            if route is not None and route.route == "recall":
                turns = {int(t["turn"]) for t in state.get("turns") or []}
                out, reply = recall(
                    services.tiers, state["request"], history, turns, meter, max_retries=retries
                )
            else:
                out, reply = synthesize(
                    services.tiers,
                    state["request"],
                    plan_of(state),
                    results_of(state),
                    meter,
                    history=history,
                    max_retries=retries,
                )
        except (StepFailed, BudgetExhausted) as exc:
            return stopped(exc)
        return {"final_answer": out.answer, "answer_id": reply.id}

    return synthesize_node
