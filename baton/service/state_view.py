"""A LangGraph ``StateSnapshot`` in the shape the LangGraph Server API returns (``ThreadState``).

Interrupts come only from tasks still waiting (``baton.pending.live_interrupts``): after a
crash the parent checkpoint can still list an interrupt its worker already moved past.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Interrupt, StateSnapshot

from baton.pending import live_interrupts


def checkpoint_of(config: RunnableConfig | None) -> dict[str, Any] | None:
    """``{"thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map"}`` of a config."""
    configurable = (config or {}).get("configurable") or {}
    if not configurable.get("thread_id") or not configurable.get("checkpoint_id"):
        return None
    checkpoint: dict[str, Any] = {
        "thread_id": configurable["thread_id"],
        "checkpoint_ns": configurable.get("checkpoint_ns") or "",
        "checkpoint_id": configurable["checkpoint_id"],
    }
    if "checkpoint_map" in configurable:
        checkpoint["checkpoint_map"] = configurable["checkpoint_map"]
    return checkpoint


def interrupt_json(item: Interrupt) -> dict[str, Any]:
    """``{"id", "value"}`` of an interrupt."""
    return {"id": item.id, "value": item.value}


def live_ids(snapshot: StateSnapshot) -> set[str]:
    """Ids of the interrupts still waiting for an answer."""
    return {item.id for item in live_interrupts(snapshot)}


def thread_state(snapshot: StateSnapshot, live: set[str] | None = None) -> dict[str, Any]:
    """The API's ``ThreadState`` for ``snapshot``."""
    waiting = live if live is not None else live_ids(snapshot)
    tasks = []
    for task in snapshot.tasks:
        nested = task.state if isinstance(task.state, StateSnapshot) else None
        tasks.append(
            {
                "id": task.id,
                "name": task.name,
                "path": list(task.path),
                "error": task.error if task.error is None else str(task.error),
                "interrupts": [interrupt_json(i) for i in task.interrupts if i.id in waiting],
                "checkpoint": checkpoint_of(task.state)
                if task.state is not None and not isinstance(task.state, StateSnapshot)
                else None,
                "state": thread_state(nested, waiting) if nested is not None else None,
                "result": task.result,
            }
        )
    return {
        "values": snapshot.values,
        "next": list(snapshot.next),
        "tasks": tasks,
        "metadata": snapshot.metadata,
        "created_at": snapshot.created_at,
        "checkpoint": checkpoint_of(snapshot.config),
        "parent_checkpoint": checkpoint_of(snapshot.parent_config),
        "interrupts": [interrupt_json(i) for i in snapshot.interrupts if i.id in waiting],
        "checkpoint_id": checkpoint_of(snapshot.config)
        and snapshot.config["configurable"].get("checkpoint_id"),
        "parent_checkpoint_id": (snapshot.parent_config or {})
        .get("configurable", {})
        .get("checkpoint_id"),
    }


def thread_interrupts(snapshot: StateSnapshot) -> dict[str, list[dict[str, Any]]]:
    """The API thread's ``interrupts``: waiting interrupts by task id."""
    waiting = live_ids(snapshot)
    found: dict[str, list[dict[str, Any]]] = {}
    for task in snapshot.tasks:
        items = [interrupt_json(i) for i in task.interrupts if i.id in waiting]
        if items:
            found[task.id] = items
    return found
