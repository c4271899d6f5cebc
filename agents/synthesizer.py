"""The synthesizer: the final answer of an orchestrated run, citing step results."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from agents.meter import Meter
from agents.models.tiers import ModelTiers
from agents.structured import invoke_structured
from state.plan import Step
from state.results import WorkerResult
from state.synthesis import Synthesis

PROMPT = """You are Baton's synthesizer. Write the final answer to the request from the step
results below: what was found, what was done (refunds, emails) and what was not done and
why. Cite the step ids you rely on in cited_steps. Do not invent anything not in a result."""


def synthesize(
    tiers: ModelTiers,
    request: str,
    plan: list[Step],
    results: dict[str, WorkerResult],
    meter: Meter,
    *,
    max_retries: int = 2,
) -> Synthesis:
    """Compose the final answer; raises ``StepFailed`` if no valid Synthesis comes back."""
    blocks = []
    for step in plan:
        result = results.get(step.id)
        status = result.status if result else "not run"
        output = (result.output or result.error or "") if result else "(blocked or not run)"
        blocks.append(f"### {step.id} ({step.worker}) status={status}\n{output}")
    body = f"Request: {request}\nResults:\n" + "\n".join(blocks)
    messages = [SystemMessage(PROMPT), HumanMessage(body)]
    context = {"step_ids": {s.id for s in plan}}
    return invoke_structured(
        tiers,
        "strong",
        Synthesis,
        messages,
        meter,
        purpose="synthesize",
        context=context,
        max_retries=max_retries,
    )
