"""The planner's tool definition, built from the worker registry and the step cap.

``Plan``'s pydantic schema says ``worker`` is any string and ``steps`` optional; the model
is sent more: ``worker`` is an enum of the registered workers, ``steps``, ``rationale`` and
``done`` are required, each step's ``depends_on`` is required, and ``steps`` has at most as
many items as the cap leaves room for. What a JSON schema cannot say (at least one step
unless done, no cycles, an irreversible step waiting for the steps that verify and draft
for it) is checked by ``state.plan`` and fed back to the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

from agents.request_schema import portable_tool
from agents.workers import WorkerSpec
from state.plan import Plan


def plan_tool(workers: Iterable[str], room: int) -> dict[str, Any]:
    """The ``Plan`` function definition for ``workers``, with room for ``room`` more steps."""
    tool = portable_tool(convert_to_openai_tool(Plan))
    params = tool["function"]["parameters"]
    params["required"] = ["rationale", "steps", "done"]
    steps = params["properties"]["steps"]
    steps.pop("default", None)
    steps["maxItems"] = max(room, 0)
    step = steps["items"]
    step["properties"]["worker"]["enum"] = sorted(workers)
    step["required"] = ["id", "worker", "instruction", "depends_on"]
    params["properties"]["done"].pop("default", None)
    return tool


def plan_context(
    workers: Mapping[str, WorkerSpec],
    irreversible_tools: Iterable[str],
    max_steps: int,
    existing: Mapping[str, tuple[str, list[str]]],
) -> dict[str, Any]:
    """What ``Plan``'s validators need: workers, the cap, earlier steps, who acts, who prepares."""
    irreversible = set(irreversible_tools)
    preparers: dict[str, set[str]] = {}
    for spec in workers.values():
        if spec.prepares is not None:
            preparers.setdefault(spec.prepares, set()).add(spec.name)
    return {
        "workers": set(workers),
        "max_steps": max_steps,
        "existing_ids": set(existing),
        "existing_steps": {
            sid: {"worker": worker, "depends_on": deps} for sid, (worker, deps) in existing.items()
        },
        "acting_workers": {w.name for w in workers.values() if irreversible & set(w.tools)},
        "preparers": preparers,
    }
