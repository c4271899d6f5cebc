"""The planner's validated plan: steps for workers, with dependencies.

Structural checks live here (unique ids, known dependencies, no cycles). Checks that need
the worker registry or the configured caps (unknown worker, too many steps) are applied by
the planner through ``validation_context`` so the model is told exactly what was wrong.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


class Step(BaseModel):
    """One unit of delegated work."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", description="Short unique id, e.g. 's1'.")
    worker: str = Field(description="Name of a registered worker.")
    instruction: str = Field(min_length=1, max_length=2000, description="What the worker must do.")
    depends_on: list[str] = Field(
        default_factory=list, description="Ids of steps whose results this step needs."
    )


class Plan(BaseModel):
    """The planner's output: new steps to run, or ``done`` when the results suffice."""

    model_config = ConfigDict(extra="forbid")

    rationale: str = Field(min_length=1, max_length=1000, description="Why these steps.")
    steps: list[Step] = Field(default_factory=list, description="Steps to add (new ids only).")
    done: bool = Field(default=False, description="True when existing results answer the request.")

    @field_validator("steps")
    @classmethod
    def _known_workers_and_cap(cls, steps: list[Step], info: ValidationInfo) -> list[Step]:
        ctx: dict[str, Any] = info.context or {}
        workers: set[str] | None = ctx.get("workers")
        if workers is not None:
            unknown = sorted({s.worker for s in steps} - workers)
            if unknown:
                raise ValueError(f"unknown worker(s) {unknown}; choose from {sorted(workers)}")
        max_steps: int | None = ctx.get("max_steps")
        existing: set[str] = set(ctx.get("existing_ids", ()))
        if max_steps is not None and len(steps) + len(existing) > max_steps:
            raise ValueError(
                f"plan has {len(steps) + len(existing)} steps in total; the cap is {max_steps}"
            )
        clash = sorted({s.id for s in steps} & existing)
        if clash:
            raise ValueError(f"step id(s) {clash} already exist; use new ids")
        return steps

    @model_validator(mode="after")
    def _dependencies_form_a_dag(self, info: ValidationInfo) -> Plan:
        ctx: dict[str, Any] = info.context or {}
        existing: set[str] = set(ctx.get("existing_ids", ()))
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids must be unique")
        known = set(ids) | existing
        for step in self.steps:
            missing = sorted(set(step.depends_on) - known)
            if missing:
                raise ValueError(f"step {step.id!r} depends on unknown step(s) {missing}")
        find_cycle(self.steps)
        if not self.done and not self.steps:
            raise ValueError("a plan that is not done must add at least one step")
        return self


def find_cycle(steps: list[Step]) -> None:
    """Raise ``ValueError`` naming a dependency cycle among ``steps``, if there is one."""
    deps = {s.id: [d for d in s.depends_on] for s in steps}
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2 or node not in deps:
            return
        if state.get(node) == 1:
            cycle = [*path[path.index(node) :], node]
            raise ValueError(f"dependency cycle: {' -> '.join(cycle)}")
        state[node] = 1
        for dep in deps[node]:
            visit(dep, [*path, node])
        state[node] = 2

    for step_id in deps:
        visit(step_id, [])
