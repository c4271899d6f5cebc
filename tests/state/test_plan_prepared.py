"""An irreversible step must wait for the steps that verify and draft for it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from agents.plan_schema import plan_context
from agents.workers import all_workers
from state.plan import Plan

IRREVERSIBLE = ("issue_refund", "send_email")


def step(sid: str, worker: str, *deps: str) -> dict[str, Any]:
    return {"id": sid, "worker": worker, "instruction": f"do {sid}", "depends_on": list(deps)}


def validate(steps: list[dict[str, Any]], existing: dict[str, Any] | None = None) -> Plan:
    ctx = plan_context(all_workers(), IRREVERSIBLE, 8, existing or {})
    return Plan.model_validate({"rationale": "r", "steps": steps}, context=ctx)


def test_the_stand_in_shape_verify_draft_then_act_is_valid() -> None:
    plan = validate(
        [
            step("s1", "analyst"),
            step("s2", "researcher"),
            step("s3", "writer", "s1", "s2"),
            step("s4", "operator", "s3"),  # s1 reached through s3
        ]
    )
    assert [s.id for s in plan.steps] == ["s1", "s2", "s3", "s4"]


def test_an_operator_step_with_no_dependencies_is_refused_naming_the_fix() -> None:
    with pytest.raises(
        ValidationError, match=r"'s2' \(operator\) is irreversible and must depend, directly"
    ):
        validate([step("s1", "writer"), step("s2", "operator")])


def test_an_operator_step_that_skips_the_draft_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"'draft' \(writer\)"):
        validate([step("s1", "analyst"), step("s2", "operator", "s1")])


def test_a_verify_step_left_beside_the_act_is_refused() -> None:
    steps = [
        step("s1", "analyst"),
        step("s2", "analyst"),
        step("s3", "writer", "s1"),
        step("s4", "operator", "s3"),
    ]
    with pytest.raises(ValidationError, match=r"must depend on \['s2'\]"):
        validate(steps)


def test_earlier_steps_count_as_preparation() -> None:
    existing = {"s1": ("analyst", []), "s2": ("writer", ["s1"])}
    plan = validate([step("s3", "operator", "s2")], existing)
    assert plan.steps[0].depends_on == ["s2"]


def test_plans_without_irreversible_steps_are_unaffected() -> None:
    assert len(validate([step("s1", "researcher"), step("s2", "analyst")]).steps) == 2
