"""The planner's validated plan: steps for workers, with dependencies.

Structural checks live here (unique ids, known dependencies, no cycles). Checks that need
the worker registry or the configured caps (unknown worker, too many steps, an irreversible
step that does not wait for the steps that verify and draft for it) are applied by the
planner through the validation context, so the model is told exactly what was wrong. The
schema the model is sent (``agents.plan_schema``) encodes what JSON schema can; these
checks are the rest.
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
        check_prepared(self.steps, ctx)
        return self


def check_prepared(steps: list[Step], ctx: dict[str, Any]) -> None:
    """Raise ``ValueError`` unless every irreversible step waits for its preparation.

    ``ctx["acting_workers"]``: workers with an irreversible tool; ``ctx["preparers"]``: for
    each preparation ("verify", "draft"), the workers that do it; ``ctx["existing_steps"]``:
    earlier steps' workers and dependencies by id. An irreversible step must depend,
    directly or through other steps, on at least one step of each preparation, and on every
    such step of this plan that does not itself wait for it.
    """
    acting: set[str] = set(ctx.get("acting_workers", ()))
    preparers: dict[str, set[str]] = {k: set(v) for k, v in ctx.get("preparers", {}).items()}
    if not acting or not preparers:
        return
    graph: dict[str, tuple[str, list[str]]] = {
        sid: (str(entry["worker"]), list(entry.get("depends_on", [])))
        for sid, entry in ctx.get("existing_steps", {}).items()
    }
    graph.update({s.id: (s.worker, list(s.depends_on)) for s in steps})
    for step in steps:
        if step.worker not in acting:
            continue
        before = _ancestors(step.id, graph)
        for role, workers in sorted(preparers.items()):
            if not workers:
                continue
            names = "/".join(sorted(workers))
            if not any(graph[a][0] in workers for a in before):
                raise ValueError(
                    f"step {step.id!r} ({step.worker}) is irreversible and must depend, directly "
                    f"or through other steps, on a step that does '{role}' ({names}); add it to "
                    "depends_on"
                )
            skipped = sorted(
                s.id
                for s in steps
                if s.worker in workers
                and s.id not in before
                and step.id not in _ancestors(s.id, graph)
            )
            if skipped:
                raise ValueError(
                    f"step {step.id!r} ({step.worker}) is irreversible and must depend on "
                    f"{skipped} ('{role}' by {names}); add them to its depends_on"
                )


def _ancestors(step_id: str, graph: dict[str, tuple[str, list[str]]]) -> set[str]:
    """Every step ``step_id`` waits for, directly or transitively."""
    seen: set[str] = set()
    stack = list(graph.get(step_id, ("", []))[1])
    while stack:
        current = stack.pop()
        if current in seen or current not in graph:
            continue
        seen.add(current)
        stack.extend(graph[current][1])
    return seen


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
