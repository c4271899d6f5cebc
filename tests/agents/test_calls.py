"""Every model call is charged before it is made, counted and traced; outages fail cleanly."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import RecordingMeter, Turn, scripted_tiers
from langchain_core.messages import HumanMessage

from agents.calls import call_model
from agents.errors import ModelUnavailable, StepFailed
from state.usage import BudgetExhausted

TASK = [HumanMessage("Request: hi\nWorker: analyst")]


def test_no_budget_no_call() -> None:
    tiers, log = scripted_tiers({"analyst": lambda t: "hello"})
    meter = RecordingMeter(model_calls=1)
    call_model(tiers, "fast", TASK, meter, purpose="analyst")
    with pytest.raises(BudgetExhausted):
        call_model(tiers, "fast", TASK, meter, purpose="analyst")
    assert log.count("analyst") == 1  # the refused call never reached the model


def test_a_call_is_traced_with_model_purpose_tokens_and_tool_calls() -> None:
    tiers, _ = scripted_tiers({"analyst": lambda t: "hello"})
    meter = RecordingMeter()
    reply = call_model(tiers, "strong", TASK, meter, purpose="analyst")
    assert reply.text == "hello"
    (event,) = meter.kinds("model_call")
    assert event["model"] == "fake-strong" and event["tier"] == "strong"
    assert (event["input_tokens"], event["output_tokens"]) == (10, 5)
    assert event["tool_calls"] == []
    assert meter.tokens == 15


@pytest.mark.parametrize("error", [ConnectionError("refused"), TimeoutError("timed out")])
def test_a_provider_outage_is_one_resumable_error_after_three_attempts(error: Exception) -> None:
    def down(turn: Turn) -> Any:
        raise error

    tiers, _ = scripted_tiers({"analyst": down})
    meter = RecordingMeter()
    with pytest.raises(ModelUnavailable) as info:
        call_model(tiers, "fast", TASK, meter, purpose="analyst")
    assert not isinstance(info.value, StepFailed)  # no node turns it into a failed step
    assert str(info.value).startswith("analyst: model fake-fast failed:")
    assert str(info.value).endswith("(after 3 attempts)")
    errors = meter.kinds("model_error")
    assert len(errors) == 3  # transient: tried three times, with backoff between
    assert {e["purpose"] for e in errors} == {"analyst"}
    assert [r["delay_s"] for r in meter.kinds("model_retry")] == [0.5, 2.0]


def rate_limited(times: int) -> Any:
    import httpx
    import openai

    def handler(turn: Turn) -> Any:
        if len(calls) < times:
            calls.append(turn)
            response = httpx.Response(429, request=httpx.Request("POST", "http://provider"))
            raise openai.RateLimitError("slow down", response=response, body=None)
        return "hello"

    calls: list[Turn] = []
    return handler


def test_a_rate_limit_is_retried_with_backoff_and_then_succeeds() -> None:
    tiers, log = scripted_tiers({"analyst": rate_limited(2)})
    meter = RecordingMeter()
    reply = call_model(tiers, "fast", TASK, meter, purpose="analyst")
    assert reply.text == "hello"
    assert log.count("analyst") == 3
    assert meter.charged_model_calls == 1  # one call of the budget, however many attempts
    assert [r["delay_s"] for r in meter.kinds("model_retry")] == [0.5, 2.0]


def test_a_permanent_provider_error_is_not_retried() -> None:
    import httpx
    import openai

    def forbidden(turn: Turn) -> Any:
        response = httpx.Response(401, request=httpx.Request("POST", "http://provider"))
        raise openai.AuthenticationError("bad key", response=response, body=None)

    tiers, log = scripted_tiers({"analyst": forbidden})
    with pytest.raises(ModelUnavailable, match=r"HTTP 401: bad key$"):
        call_model(tiers, "fast", TASK, RecordingMeter(), purpose="analyst")
    assert log.count("analyst") == 1
