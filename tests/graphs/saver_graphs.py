"""What the saver tests share: a checkpoint config, and a one-node graph over a saver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def checkpoint_config(thread: str, checkpoint: str = "c1") -> dict[str, Any]:
    """The config naming ``checkpoint`` of ``thread``'s top-level namespace."""
    return {"configurable": {"thread_id": thread, "checkpoint_ns": "", "checkpoint_id": checkpoint}}


def one_node(schema: Any, node: Callable[..., Any], saver: Any) -> Any:
    """START ─► node ─► END over ``saver``."""
    from langgraph.graph import END, START, StateGraph

    builder = StateGraph(schema)
    builder.add_node("ask", node)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    return builder.compile(checkpointer=saver)
