"""Validated structured output: errors go back to the model, then up a tier, then fail."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import RecordingMeter, Turn, scripted_tiers, tool_call
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agents.errors import StepFailed
from agents.structured import invoke_structured
from state.route import Route
from state.synthesis import Synthesis

MESSAGES = [SystemMessage("route it"), HumanMessage("Request: where is my refund?")]
GOOD = {"route": "answer", "reason": "A policy question."}


def wrong_shape(turn: Turn) -> AIMessage:
    return tool_call("Route", {"route": "teleport", "reason": "?"}, salt=len(turn.messages))


def missing_field(turn: Turn) -> AIMessage:
    return tool_call("Route", {"route": "answer"}, salt=len(turn.messages))


def not_json(turn: Turn) -> str:
    return "I think it should be answered {oops"


def good(turn: Turn) -> dict[str, Any]:
    return GOOD


def fix_after_error(bad: Any) -> Any:
    """Invalid until the conversation carries an error message, then valid."""

    def handler(turn: Turn) -> Any:
        if any("invalid" in text for text in turn.later_texts):
            return GOOD
        return bad(turn)

    return handler


@pytest.mark.parametrize(
    ("bad", "expected_error"),
    [
        (not_json, "expected a call to Route with JSON arguments"),
        (wrong_shape, "route: Input should be 'answer', 'ticket', 'orchestrate' or 'recall'"),
        (missing_field, "reason: Field required"),
    ],
)
def test_invalid_output_is_fed_back_and_retried_on_the_same_tier(
    bad: Any, expected_error: str
) -> None:
    tiers, log = scripted_tiers(fast={"Route": fix_after_error(bad)})
    meter = RecordingMeter()
    route = invoke_structured(tiers, "fast", Route, MESSAGES, meter, purpose="triage")
    assert route == Route(**GOOD)
    assert [t.tier for t in log.turns] == ["fast", "fast"]
    # The retry saw the exact validation error text.
    retry = log.turns[-1]
    assert any(expected_error in text for text in retry.later_texts)
    failures = meter.kinds("validation_failure")
    assert len(failures) == 1 and expected_error in failures[0]["error"]
    assert meter.kinds("escalation") == []


def test_after_max_retries_the_strong_tier_takes_over() -> None:
    tiers, log = scripted_tiers(fast={"Route": wrong_shape}, strong={"Route": good})
    meter = RecordingMeter()
    route = invoke_structured(
        tiers, "fast", Route, MESSAGES, meter, purpose="triage", max_retries=1
    )
    assert route.route == "answer"
    assert [t.tier for t in log.turns] == ["fast", "fast", "strong"]
    # The strong tier starts from the original request, not the fast tier's failures.
    (strong,) = [t for t in log.turns if t.tier == "strong"]
    assert strong.later_texts == []
    assert len(meter.kinds("validation_failure")) == 2
    assert meter.kinds("escalation") == [
        {"purpose": "triage", "from_tier": "fast", "to_tier": "strong"}
    ]
    assert meter.charged_model_calls == 3


def test_all_invalid_fails_the_step_with_the_reason() -> None:
    tiers, log = scripted_tiers({"Route": missing_field})
    meter = RecordingMeter()
    with pytest.raises(StepFailed) as info:
        invoke_structured(tiers, "fast", Route, MESSAGES, meter, purpose="triage", max_retries=2)
    assert "triage: no valid Route after retries and escalation" in str(info.value)
    assert "reason: Field required" in str(info.value)
    assert log.counts() == {"Route": 6}
    assert [t.tier for t in log.turns] == ["fast"] * 3 + ["strong"] * 3
    assert len(meter.kinds("validation_failure")) == 6
    assert len(meter.kinds("escalation")) == 1


def test_a_strong_call_has_nowhere_to_escalate() -> None:
    tiers, log = scripted_tiers({"Route": not_json})
    meter = RecordingMeter()
    with pytest.raises(StepFailed):
        invoke_structured(tiers, "strong", Route, MESSAGES, meter, purpose="plan", max_retries=1)
    assert [t.tier for t in log.turns] == ["strong", "strong"]
    assert meter.kinds("escalation") == []


def test_json_content_is_accepted_when_the_model_skips_the_tool_call() -> None:
    fenced = '```json\n{"route": "ticket", "reason": "bug"}```'
    tiers, _ = scripted_tiers({"Route": lambda t: fenced})
    route = invoke_structured(tiers, "fast", Route, MESSAGES, RecordingMeter(), purpose="triage")
    assert route.route == "ticket"


def test_context_checks_run_inside_validation_and_are_fed_back() -> None:
    def cites(turn: Turn) -> dict[str, Any]:
        if any("cites unknown step" in text for text in turn.later_texts):
            return {"answer": "Done.", "cited_steps": ["s1"]}
        return {"answer": "Done.", "cited_steps": ["s1", "s7"]}

    tiers, log = scripted_tiers({"Synthesis": cites})
    out = invoke_structured(
        tiers,
        "strong",
        Synthesis,
        MESSAGES,
        RecordingMeter(),
        purpose="synthesize",
        context={"step_ids": {"s1", "s2"}},
    )
    assert out.cited_steps == ["s1"]
    assert log.count("Synthesis") == 2


def test_model_calls_are_charged_and_traced() -> None:
    tiers, _ = scripted_tiers({"Route": good})
    meter = RecordingMeter()
    invoke_structured(tiers, "fast", Route, MESSAGES, meter, purpose="triage")
    (call,) = meter.kinds("model_call")
    assert call["purpose"] == "triage" and call["model"] == "fake-fast"
    assert meter.charged_model_calls == 1 and meter.tokens == 15
