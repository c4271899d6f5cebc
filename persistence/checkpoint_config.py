"""What every saver reads from a call's config: the run it belongs to, the config it returns."""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import Checkpoint


def run_id_of(config: RunnableConfig) -> str:
    """The run a call belongs to, or empty.

    ``metadata.run_id`` (Baton's CLI sets it on every run and resume), else
    ``configurable.run_id``.
    """
    found = (config.get("metadata") or {}).get("run_id") or config["configurable"].get("run_id")
    return str(found) if found else ""


def saved_config(config: RunnableConfig, checkpoint: Checkpoint) -> RunnableConfig:
    """The config naming the checkpoint just stored."""
    configurable = config["configurable"]
    return {
        "configurable": {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable["checkpoint_ns"],
            "checkpoint_id": checkpoint["id"],
        }
    }
