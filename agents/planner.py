"""The planner: a strong-tier call that returns a validated Plan over registered workers."""

from __future__ import annotations

from collections.abc import Iterable

from langchain_core.messages import HumanMessage, SystemMessage

from agents.history import with_history
from agents.meter import Meter
from agents.models.tiers import ModelTiers
from agents.plan_schema import plan_context, plan_tool
from agents.structured import invoke_structured
from agents.workers import all_workers
from state.plan import Plan, Step
from state.results import WorkerResult

PROMPT = """You are Baton's planner. Split the request into steps for the workers listed,
each with a short id, the worker, a precise instruction and the ids of the steps whose
results it needs (depends_on). Independent steps run in parallel, so only add a dependency
when a step needs another's result. Irreversible work (refunds, email) goes to the
operator and must depend on the steps that verify and draft it. When results are given,
either add new steps (new ids) or set done=true if the results answer the request. The
request may refer back to the conversation so far ("the other order", "them"): put the
ids and facts it refers to into the instructions, since workers see only their step."""


def _describe(plan: list[Step], results: dict[str, WorkerResult]) -> str:
    lines = []
    for step in plan:
        result = results.get(step.id)
        status = result.status if result else "pending"
        lines.append(f"### {step.id} ({step.worker}) status={status}")
        lines.append(result.output if result else step.instruction)
    return "\n".join(lines)


def make_plan(
    tiers: ModelTiers,
    request: str,
    plan: list[Step],
    results: dict[str, WorkerResult],
    iteration: int,
    max_iterations: int,
    max_steps: int,
    meter: Meter,
    *,
    history: str = "",
    max_retries: int = 2,
    irreversible_tools: Iterable[str] = (),
) -> Plan:
    """Ask for new steps (or done); raises ``StepFailed`` if no valid plan comes back.

    ``irreversible_tools`` names the tools that act on the world: a step of a worker that
    has one must depend on the steps that verify and draft for it.
    """
    workers = all_workers()
    roster = "\n".join(f"- {w.name}: {w.description}" for w in workers.values())
    body = f"Request: {request}\nIteration: {iteration} of {max_iterations}\nWorkers:\n{roster}"
    if plan:
        body += "\nSteps so far:\n" + _describe(plan, results)
    existing = {s.id: (s.worker, list(s.depends_on)) for s in plan}
    context = plan_context(workers, irreversible_tools, max_steps, existing)
    messages = [SystemMessage(PROMPT), HumanMessage(with_history(body, history))]
    return invoke_structured(
        tiers,
        "strong",
        Plan,
        messages,
        meter,
        purpose="plan",
        context=context,
        max_retries=max_retries,
        tool=plan_tool(workers, max_steps - len(plan)),
    )
