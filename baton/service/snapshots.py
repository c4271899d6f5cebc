"""Reading a thread's checkpointed state, and the run config that names the thread."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import StateSnapshot

if TYPE_CHECKING:
    from baton.service.assistants import Assistant
    from baton.service.context import ServiceContext
    from persistence.runs import RunRecord

_RESERVED_CONFIGURABLE = ("thread_id", "checkpoint_ns", "checkpoint_map", "run_id")
_ANSWER_LOOKBACK = 50


def thread_config(thread_id: str, checkpoint_id: str | None = None) -> RunnableConfig:
    """The config that reads (or writes) a thread, at its latest or a given checkpoint."""
    configurable: dict[str, Any] = {"thread_id": thread_id}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def run_config(run: RunRecord) -> RunnableConfig:
    """The config a run streams with: its thread, its run id in the metadata, client extras.

    The run id goes in the metadata as LangGraph's server puts it, so every checkpoint and
    write the run makes carries it (``saver.adelete_for_runs`` undoes the run by it, and a
    run carried on after a restart is recognised by it).
    """
    client: dict[str, Any] = run.kwargs.get("config") or {}
    configurable = {
        key: value
        for key, value in (client.get("configurable") or {}).items()
        if key not in _RESERVED_CONFIGURABLE and not key.startswith("__")
    }
    configurable["thread_id"] = run.thread_id
    metadata = {
        **(client.get("metadata") or {}),
        **run.metadata,
        "run_id": run.run_id,
        "thread_id": run.thread_id,
        "assistant_id": run.assistant_id,
        "graph_id": run.graph_id,
    }
    config: RunnableConfig = {"configurable": configurable, "metadata": metadata}
    if client.get("tags"):
        config["tags"] = list(client["tags"])
    if client.get("recursion_limit"):
        config["recursion_limit"] = int(client["recursion_limit"])
    return config


async def snapshot_of(
    assistant: Assistant, thread_id: str, checkpoint_id: str | None = None
) -> StateSnapshot:
    """The thread's state, with each waiting subgraph's own state.

    The subgraphs' states are read only when some task waits on an interrupt (telling a
    live interrupt from one its worker already moved past needs them); most reads, of a
    thread between turns or mid-turn, need only the top level.
    """
    graph, config = assistant.graph, thread_config(thread_id, checkpoint_id)
    snapshot = await graph.aget_state(config)
    if any(task.interrupts for task in snapshot.tasks):
        snapshot = await graph.aget_state(config, subgraphs=True)
    return snapshot


async def answered_interrupts(ctx: ServiceContext, thread_id: str) -> dict[str, str]:
    """Interrupt ids the thread's recent runs answered, with the run that answered each."""
    runs = await asyncio.to_thread(
        ctx.runs.list_for_thread, thread_id, limit=_ANSWER_LOOKBACK, offset=0
    )
    answered: dict[str, str] = {}
    for run in runs:
        resume = (run.kwargs.get("command") or {}).get("resume")
        if isinstance(resume, dict) and run.status != "pending":
            for key in resume:
                answered.setdefault(str(key), run.run_id)
    return answered


async def run_checkpointed(ctx: ServiceContext, run: RunRecord) -> bool:
    """Whether the run already saved a checkpoint (so a restart continues, not restarts)."""
    config = thread_config(run.thread_id)
    async for _ in ctx.saver.alist(config, filter={"run_id": run.run_id}, limit=1):
        return True
    return False
