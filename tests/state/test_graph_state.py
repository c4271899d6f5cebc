"""The reducers that merge parallel branches' updates into one run state (plain data)."""

from __future__ import annotations

from typing import Any

from state.graph_state import extend_plan, merge_counts, merge_results
from state.plan import Step
from state.results import WorkerResult


def result(step_id: str, output: str) -> dict[str, Any]:
    return WorkerResult(step_id=step_id, worker="analyst", output=output).model_dump(mode="json")


def test_results_merge_by_step_id_and_a_revision_replaces_the_old_result() -> None:
    merged = merge_results({"s1": result("s1", "v0")}, {"s2": result("s2", "x")})
    merged = merge_results(merged, {"s1": result("s1", "v1")})
    assert {k: v["output"] for k, v in merged.items()} == {"s1": "v1", "s2": "x"}


def test_plan_keeps_the_first_definition_of_a_step() -> None:
    first = {"id": "s1", "worker": "analyst", "instruction": "first", "depends_on": []}
    again = {"id": "s1", "worker": "writer", "instruction": "second", "depends_on": []}
    new = {"id": "s2", "worker": "writer", "instruction": "new", "depends_on": []}
    plan = extend_plan([first], [again, new])
    assert [(s["id"], s["instruction"]) for s in plan] == [("s1", "first"), ("s2", "new")]


def test_models_from_threads_written_before_plain_data_merge_as_data() -> None:
    old = WorkerResult(step_id="s1", worker="analyst", output="old")
    merged = merge_results({"s1": old}, {"s2": result("s2", "x")})
    assert merged["s1"] == old.model_dump(mode="json")
    step = Step(id="s1", worker="analyst", instruction="first")
    assert extend_plan([step], []) == [step.model_dump(mode="json")]


def test_counts_only_grow() -> None:
    assert merge_counts({"s3": 2}, {"s3": 1, "s5": 0}) == {"s3": 2, "s5": 0}
    assert merge_counts(None, None) == {}
