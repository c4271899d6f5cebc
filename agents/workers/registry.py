"""Worker specs and the registry that holds them."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Literal

from agents.models.tiers import Tier

Preparation = Literal["verify", "draft"]


@dataclass(frozen=True)
class WorkerSpec:
    """A specialist: its prompt, tools, model tier and limits."""

    name: str
    description: str
    """What the planner is told this worker does."""
    prompt: str
    tools: tuple[str, ...]
    tier: Tier = "fast"
    max_tool_calls: int = 6
    prepares: Preparation | None = None
    """What this worker's steps do for an irreversible step: verify its facts or draft its
    text. A plan's irreversible step must depend on a step of each (``state.plan``)."""


_REGISTRY: dict[str, WorkerSpec] = {}
_LOADED = False


def register(spec: WorkerSpec) -> WorkerSpec:
    """Add (or replace) a worker; returns it so modules can keep a handle."""
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a worker (tests that register a temporary one use this)."""
    _REGISTRY.pop(name, None)


def _load_builtin() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import agents.workers as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "registry":
            importlib.import_module(f"agents.workers.{module.name}")


def all_workers() -> dict[str, WorkerSpec]:
    """Every registered worker, by name, in registration order."""
    _load_builtin()
    return dict(_REGISTRY)


def get_worker(name: str) -> WorkerSpec:
    """The worker called ``name``; ``KeyError`` if there is none."""
    return all_workers()[name]
