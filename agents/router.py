"""The triage router: one fast-tier call that picks a workflow."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from agents.history import with_history
from agents.meter import Meter
from agents.models.tiers import ModelTiers
from agents.structured import invoke_structured
from state.route import Route

PROMPT = """You are Baton's triage router for a support-operations team. Pick one route:
- answer: a question the policy knowledge base can answer;
- ticket: a bug or problem report to file for engineering;
- orchestrate: work that needs several specialists, or touches money or customer email;
- recall: a question about this conversation itself (what was asked, done or answered in
  an earlier turn), answered from the conversation so far.
A request may refer back to earlier turns ("the other order", "them", "the same email"):
read it with the conversation so far. Call Route with the route and a one-sentence reason."""


def triage(
    tiers: ModelTiers, request: str, meter: Meter, *, history: str = "", max_retries: int = 2
) -> Route:
    """Route ``request`` (read with ``history``); raises ``StepFailed`` if no valid Route."""
    messages = [SystemMessage(PROMPT), HumanMessage(with_history(f"Request: {request}", history))]
    return invoke_structured(
        tiers, "fast", Route, messages, meter, purpose="triage", max_retries=max_retries
    )
