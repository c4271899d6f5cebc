"""Plan validation: what the planner is told when its plan cannot run."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from state.plan import Plan

WORKERS = {"researcher", "analyst", "writer", "operator"}


def ctx(max_steps: int = 8, existing: set[str] | None = None) -> dict[str, Any]:
    return {"workers": WORKERS, "max_steps": max_steps, "existing_ids": existing or set()}


def step(sid: str, worker: str = "analyst", deps: list[str] | None = None) -> dict[str, Any]:
    return {"id": sid, "worker": worker, "instruction": f"do {sid}", "depends_on": deps or []}


def validate(steps: list[dict[str, Any]], **kwargs: Any) -> Plan:
    data = {"rationale": "because", "steps": steps}
    return Plan.model_validate(data, context=ctx(**kwargs))


def error_of(steps: list[dict[str, Any]], **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        validate(steps, **kwargs)
    return str(info.value)


def test_a_valid_plan_with_parallel_and_dependent_steps() -> None:
    plan = validate([step("s1"), step("s2", "researcher"), step("s3", "writer", ["s1", "s2"])])
    assert [s.id for s in plan.steps] == ["s1", "s2", "s3"]
    assert plan.steps[2].depends_on == ["s1", "s2"]
    assert plan.done is False


def test_unknown_worker_is_named_with_the_choices() -> None:
    message = error_of([step("s1", "accountant")])
    assert "unknown worker(s) ['accountant']" in message
    assert "analyst" in message and "operator" in message


def test_a_cycle_is_rejected_and_named() -> None:
    message = error_of([step("s1", deps=["s3"]), step("s2", deps=["s1"]), step("s3", deps=["s2"])])
    assert "dependency cycle" in message
    cycle = message.split("dependency cycle: ", 1)[1].split("[", 1)[0].strip()
    nodes = cycle.split(" -> ")
    assert nodes[0] == nodes[-1]
    assert set(nodes) == {"s1", "s2", "s3"}


def test_a_step_depending_on_itself_is_a_cycle() -> None:
    assert "s1 -> s1" in error_of([step("s1", deps=["s1"])])


def test_over_cap_plans_are_rejected_counting_existing_steps() -> None:
    assert "the cap is 2" in error_of([step("s1"), step("s2"), step("s3")], max_steps=2)
    message = error_of([step("s3"), step("s4")], max_steps=3, existing={"s1", "s2"})
    assert "4 steps in total; the cap is 3" in message


def test_duplicate_ids_are_rejected() -> None:
    assert "step ids must be unique" in error_of([step("s1"), step("s1", "researcher")])


def test_reusing_an_existing_id_is_rejected() -> None:
    assert "already exist" in error_of([step("s1")], existing={"s1"})


def test_unknown_dependency_is_named() -> None:
    message = error_of([step("s1", deps=["s9"])])
    assert "step 's1' depends on unknown step(s) ['s9']" in message


def test_a_new_step_may_depend_on_an_existing_one() -> None:
    plan = validate([step("s3", "writer", ["s1"])], existing={"s1", "s2"})
    assert plan.steps[0].depends_on == ["s1"]


def test_a_plan_that_is_not_done_needs_steps() -> None:
    assert "at least one step" in error_of([])
    done = Plan.model_validate({"rationale": "all answered", "done": True}, context=ctx())
    assert done.done and done.steps == []


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "S1", "worker": "analyst", "instruction": "x"},  # id must be lower-case
        {"id": "s1", "worker": "analyst", "instruction": ""},
        {"id": "s1", "worker": "analyst", "instruction": "x", "extra": 1},
    ],
)
def test_malformed_steps_are_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        validate([bad])


def test_without_context_only_structure_is_checked() -> None:
    plan = Plan.model_validate({"rationale": "r", "steps": [step("s1", "anyone")]})
    assert plan.steps[0].worker == "anyone"
