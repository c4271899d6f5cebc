"""One place every model call goes through: budget charge, context fit, retry, trace event.

This is Baton's one retry layer: the ``ChatOpenAI`` client is built with ``max_retries=0``
(``agents.models.tiers``), and a transient provider error (429, 5xx, a timeout, a dropped
connection) is retried here with bounded backoff, ``ATTEMPTS`` attempts in all. A 400
(a request the server refuses) is never retried: the same request would be refused again.
LangGraph's ``RetryPolicy`` would re-run the whole node, repeating the budget charge and
everything else the node did, and the offline stand-in has no client retries at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.constants import TAG_NOSTREAM

from agents.context_window import ContextTooLong, fit_messages, setting_name
from agents.errors import ModelUnavailable
from agents.meter import Meter
from agents.models.tiers import ModelTiers, Tier
from agents.provider.errors import (
    GARBAGE,
    describe,
    garbage,
    is_context_overflow,
    is_transient,
    provider_errors,
)

BACKOFF_S: tuple[float, ...] = (0.5, 2.0)
"""Delays before the second and third attempt after a transient error (then give up)."""
ATTEMPTS = len(BACKOFF_S) + 1
"""Requests sent for one model call at most: 3."""
sleep: Callable[[float], None] = time.sleep
"""How the backoff waits (tests replace it)."""


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

    Tools are always sent with an explicit ``tool_choice`` (``"auto"`` unless one is named):
    llama.cpp's server and vLLM use tools only when it is given. Only a call made with
    ``show=True`` (a turn's final answer) streams its tokens to whoever streams the run in
    ``messages`` mode; every other call is tagged ``nostream``.
    """
    meter.charge_model_call()
    model = tiers.get(tier)
    window = tiers.context_tokens.get(tier, 16_000)
    try:
        fitted = fit_messages(messages, tools, window, tier)
    except ContextTooLong as exc:
        meter.record("model_error", purpose=purpose, tier=tier, error=str(exc))
        raise ContextTooLong(f"{purpose}: {exc}") from None
    choice = (tool_choice or "auto") if tools else None
    bound = model.bind_tools(list(tools), tool_choice=choice) if tools else model
    runnable = bound if show else bound.with_config(tags=[TAG_NOSTREAM])
    started = time.perf_counter()
    for attempt, delay in enumerate((*BACKOFF_S, None)):
        try:
            reply = runnable.invoke(fitted)
            break
        except provider_errors() as exc:
            line = describe(exc)
            meter.record("model_error", purpose=purpose, tier=tier, error=line)
            if is_context_overflow(exc):
                raise ContextTooLong(
                    f"{purpose}: model {tiers.name(tier)} refused the request as longer than "
                    f"its context window ({line}); set {setting_name(tier)} to the server's "
                    f"window (now {window})"
                ) from None
            if delay is None or not is_transient(exc):
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise ModelUnavailable(
                    f"{purpose}: model {tiers.name(tier)} failed: {line}{tries}"
                ) from None
            meter.record("model_retry", purpose=purpose, attempt=attempt + 1, delay_s=delay)
            sleep(delay)
        except GARBAGE as exc:
            if tiers.offline:  # the stand-in has no wire: this is a bug, not garbage
                raise
            line = garbage(exc)
            meter.record("model_error", purpose=purpose, tier=tier, error=line)
            raise ModelUnavailable(f"{purpose}: model {tiers.name(tier)} failed: {line}") from None
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
