"""Reading what a node needs from its ``RunnableConfig``."""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig


def thread_of(config: RunnableConfig) -> str:
    """The run's thread id ("ephemeral" for a graph run without a checkpointer)."""
    configurable = config.get("configurable") or {}
    return str(configurable.get("thread_id") or "ephemeral")
