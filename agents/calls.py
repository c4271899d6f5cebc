"""One place every model call goes through: budget charge, token count, trace event."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from agents.errors import ModelUnavailable
from agents.meter import Meter
from agents.models.tiers import ModelTiers, Tier


def _provider_errors() -> tuple[type[BaseException], ...]:
    """Errors a provider raises once its client has given up retrying."""
    errors: list[type[BaseException]] = [TimeoutError, ConnectionError]
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:  # the offline stand-in needs no provider client
        pass
    return tuple(errors)


def call_model(
    tiers: ModelTiers,
    tier: Tier,
    messages: Sequence[BaseMessage],
    meter: Meter,
    *,
    tools: Sequence[dict[str, Any]] = (),
    tool_choice: str | None = None,
    purpose: str,
) -> AIMessage:
    """Call the ``tier`` model with ``messages`` (and tools), charging and tracing it."""
    meter.charge_model_call()
    model = tiers.get(tier)
    runnable = model.bind_tools(list(tools), tool_choice=tool_choice) if tools else model
    started = time.perf_counter()
    try:
        reply = runnable.invoke(list(messages))
    except _provider_errors() as exc:
        meter.record("model_error", purpose=purpose, tier=tier, error=str(exc)[:500])
        raise ModelUnavailable(f"{purpose}: model {tiers.name(tier)} failed: {exc}") from exc
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    if not isinstance(reply, AIMessage):  # a provider returning something else is a bug there
        raise TypeError(f"model returned {type(reply).__name__}, expected AIMessage")
    usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    meter.add_tokens(usage["input_tokens"], usage["output_tokens"])
    meter.record(
        "model_call",
        purpose=purpose,
        tier=tier,
        model=tiers.name(tier),
        input_tokens=usage["input_tokens"],
        output_tokens=usage["output_tokens"],
        latency_ms=latency_ms,
        tool_calls=[c["name"] for c in reply.tool_calls],
    )
    return reply
