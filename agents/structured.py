"""Validated structured output: schema as a forced tool call, pydantic, bounded retry.

``with_structured_output`` parses but does not feed a validation error back to the model,
retry it, or escalate to a stronger tier; this helper does all three, and domain checks
that need context (known workers, step caps) run inside the same pydantic validation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ValidationError

from agents.calls import call_model
from agents.errors import StepFailed
from agents.meter import Meter
from agents.models.tiers import ModelTiers, Tier
from agents.request_schema import portable_tool

T = TypeVar("T", bound=BaseModel)


def _candidate(reply: AIMessage, name: str) -> dict[str, Any]:
    """The arguments the model gave for the schema, from a tool call or JSON content."""
    for call in reply.tool_calls:
        if call["name"] == name:
            return dict(call["args"])
    if reply.invalid_tool_calls:
        raise ValueError(f"malformed tool call: {reply.invalid_tool_calls[0].get('error')}")
    text = reply.text if isinstance(reply.text, str) else ""
    try:
        parsed = json.loads(text.strip().removeprefix("```json").removesuffix("```"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"expected a call to {name} with JSON arguments: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError(f"expected a JSON object for {name}")
    return parsed


def _one_line(error: Exception) -> str:
    if isinstance(error, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()
        ]
        return "; ".join(parts)[:1000]
    return str(error)[:1000]


def invoke_structured(
    tiers: ModelTiers,
    tier: Tier,
    schema: type[T],
    messages: Sequence[BaseMessage],
    meter: Meter,
    *,
    purpose: str,
    context: dict[str, Any] | None = None,
    max_retries: int = 2,
    tool: dict[str, Any] | None = None,
) -> T:
    """Ask for ``schema``; on invalid output feed the error back and retry, then escalate.

    Tries ``tier`` up to ``1 + max_retries`` times, then the strong tier as many times if
    ``tier`` was fast; raises ``StepFailed`` with the last validation error after that.
    The schema goes as a forced function call (never a ``json_schema`` response format,
    which llama.cpp and others refuse), made portable (``agents.request_schema``); ``tool``
    replaces the definition built from ``schema`` when the caller knows more (the planner's
    worker enum).
    """
    tool = portable_tool(tool or convert_to_openai_tool(schema))
    name = tool["function"]["name"]
    last_error = "no attempt made"
    tiers_to_try: list[Tier] = [tier] if tier == "strong" else [tier, "strong"]
    for current in tiers_to_try:
        conversation = list(messages)
        for attempt in range(max_retries + 1):
            reply = call_model(
                tiers, current, conversation, meter, tools=[tool], tool_choice=name, purpose=purpose
            )
            try:
                return schema.model_validate(_candidate(reply, name), context=context)
            except (ValidationError, ValueError) as exc:
                last_error = _one_line(exc)
            meter.record(
                "validation_failure",
                purpose=purpose,
                tier=current,
                attempt=attempt,
                schema=name,
                error=last_error,
            )
            conversation.extend(_feedback(reply, name, last_error))
        if current != tiers_to_try[-1]:
            meter.record("escalation", purpose=purpose, from_tier=current, to_tier="strong")
    raise StepFailed(f"{purpose}: no valid {name} after retries and escalation: {last_error}")


def _feedback(reply: AIMessage, name: str, error: str) -> list[BaseMessage]:
    """Messages that tell the model what was wrong, in a shape every provider accepts."""
    text = f"Your {name} output was invalid: {error}. Call {name} again with corrected arguments."
    if reply.tool_calls:
        answered = [
            ToolMessage(content=text, tool_call_id=call["id"] or "", status="error")
            for call in reply.tool_calls
        ]
        return [reply, *answered]
    return [reply, HumanMessage(content=text)]
