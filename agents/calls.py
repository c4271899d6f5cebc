"""One place every model call goes through: budget charge, token count, trace event.

Transient provider errors (rate limits, timeouts, dropped connections, 5xx) are retried
here with bounded exponential backoff, on top of the client's own transport retries:
LangGraph's ``RetryPolicy`` would re-run the whole node, repeating the budget charge and
everything else the node did, and the offline stand-in has no client retries at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.constants import TAG_NOSTREAM

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


BACKOFF_S: tuple[float, ...] = (0.5, 2.0)
"""Delays before the second and third attempt after a transient error (then give up)."""
sleep: Callable[[float], None] = time.sleep
"""How the backoff waits (tests replace it)."""


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Errors worth another attempt after a pause."""
    errors: list[type[BaseException]] = [TimeoutError, ConnectionError]
    try:
        import openai

        errors += [
            openai.RateLimitError,
            openai.APITimeoutError,
            openai.APIConnectionError,
            openai.InternalServerError,
        ]
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
    show: bool = False,
) -> AIMessage:
    """Call the ``tier`` model with ``messages`` (and tools), charging and tracing it.

    Only a call made with ``show=True`` (a turn's final answer) streams its tokens to
    whoever streams the run in ``messages`` mode; every other call is tagged ``nostream``,
    so a chat client never sees routing, planning or a worker's tool calls as chat text.
    """
    meter.charge_model_call()
    model = tiers.get(tier)
    bound = model.bind_tools(list(tools), tool_choice=tool_choice) if tools else model
    runnable = bound if show else bound.with_config(tags=[TAG_NOSTREAM])
    started = time.perf_counter()
    transient = _transient_errors()
    for attempt, delay in enumerate((*BACKOFF_S, None)):
        try:
            reply = runnable.invoke(list(messages))
            break
        except _provider_errors() as exc:
            kind = type(exc).__name__
            meter.record(
                "model_error", purpose=purpose, tier=tier, error=f"{kind}: {str(exc)[:500]}"
            )
            if delay is None or not isinstance(exc, transient):
                raise ModelUnavailable(
                    f"{purpose}: model {tiers.name(tier)} failed: {kind}: {exc}"
                ) from exc
            meter.record("model_retry", purpose=purpose, attempt=attempt + 1, delay_s=delay)
            sleep(delay)
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
