"""The synthesizer: a turn's final answer, written as text the user sees while it streams.

The answer is requested as plain text, not as a forced tool call, so that it streams token
by token to a chat client (LangGraph's ``messages`` stream mode) and is the very text that
ends up in the conversation. It is still a validated output: the citations in it
(``[s1]`` for a step, ``doc#section`` for a policy source, ``[turn 2]`` for an earlier turn)
are parsed into a ``Synthesis`` and checked against what exists, with the error fed back
and the call retried a bounded number of times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from agents.calls import call_model
from agents.errors import StepFailed
from agents.history import with_history
from agents.meter import Meter
from agents.models.tiers import ModelTiers
from state.plan import Step
from state.results import WorkerResult
from state.synthesis import Synthesis

PROMPT = """You are Baton's synthesizer. Write the final answer to the request from the step
results below: what was found, what was done (refunds, emails) and what was not done and
why. After each statement, cite the step it relies on in square brackets, like [s1]; name a
policy source as the results give it (doc#section). Do not invent anything not in a result.
Write plain text for the support agent who asked, with no preamble."""

RECALL_PROMPT = """You are Baton. Answer the question about this conversation from the
conversation so far only: what was asked, what was done (its `did:` lines are the record
of the effects) and what was answered. Cite the turn you rely on, like [turn 1]. If the
conversation does not say, say so plainly. Write plain text, with no preamble."""

_STEP = re.compile(r"\[([a-z][a-z0-9_-]{0,31})\]")
_TURN = re.compile(r"\[turn (\d+)\]", re.IGNORECASE)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _parse(text: str, sources: set[str]) -> dict[str, object]:
    return {
        "answer": text.strip(),
        "cited_steps": _unique(_STEP.findall(text)),
        "cited_sources": sorted(s for s in sources if s in text),
        "cited_turns": sorted({int(t) for t in _TURN.findall(text)}),
    }


def _compose(
    tiers: ModelTiers,
    messages: list[BaseMessage],
    meter: Meter,
    context: dict[str, object],
    sources: set[str],
    *,
    purpose: str,
    max_retries: int,
) -> tuple[Synthesis, AIMessage]:
    """Ask for the answer; parse and validate it; feed an invalid one back and ask again."""
    conversation = list(messages)
    error = "no attempt made"
    for attempt in range(max_retries + 1):
        reply = call_model(tiers, "strong", conversation, meter, purpose=purpose, show=True)
        text = reply.text if isinstance(reply.text, str) else str(reply.content)
        try:
            return Synthesis.model_validate(_parse(text, sources), context=context), reply
        except ValidationError as exc:
            error = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        meter.record(
            "validation_failure", purpose=purpose, tier="strong", attempt=attempt, error=error
        )
        conversation += [reply, HumanMessage(f"That answer was invalid: {error}. Write it again.")]
    raise StepFailed(f"{purpose}: no valid answer after retries: {error}")


def synthesize(
    tiers: ModelTiers,
    request: str,
    plan: list[Step],
    results: dict[str, WorkerResult],
    meter: Meter,
    *,
    history: str = "",
    max_retries: int = 2,
) -> tuple[Synthesis, AIMessage]:
    """Compose the final answer from the step results; ``StepFailed`` if none validates."""
    blocks = []
    for step in plan:
        result = results.get(step.id)
        status = result.status if result else "not run"
        output = (result.output or result.error or "") if result else "(blocked or not run)"
        if result is not None and result.citations:
            output += f"\nSources: {', '.join(result.citations)}"
        blocks.append(f"### {step.id} ({step.worker}) status={status}\n{output}")
    body = f"Role: synthesizer\nRequest: {request}\nResults:\n" + "\n".join(blocks)
    messages: list[BaseMessage] = [SystemMessage(PROMPT), HumanMessage(with_history(body, history))]
    sources = {c for r in results.values() for c in r.citations}
    context: dict[str, object] = {"step_ids": {s.id for s in plan if s.id in results}}
    return _compose(
        tiers, messages, meter, context, sources, purpose="synthesize", max_retries=max_retries
    )


def recall(
    tiers: ModelTiers,
    request: str,
    history: str,
    turns: set[int],
    meter: Meter,
    *,
    max_retries: int = 2,
) -> tuple[Synthesis, AIMessage]:
    """Answer a question about the conversation itself from its digest of earlier turns."""
    body = f"Role: recall\nRequest: {request}"
    messages: list[BaseMessage] = [
        SystemMessage(RECALL_PROMPT),
        HumanMessage(with_history(body, history or "  (nothing earlier)")),
    ]
    return _compose(
        tiers, messages, meter, {"turns": turns}, set(), purpose="recall", max_retries=max_retries
    )
