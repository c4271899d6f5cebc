"""Sending progress events (``state.events``) to whoever streams the run in ``custom`` mode."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from pydantic import BaseModel

from graphs.config import thread_of


def announce(event: BaseModel) -> None:
    """Write one event to the run's ``custom`` stream (a no-op when nobody streams it)."""
    try:
        writer = get_stream_writer()
    except RuntimeError:  # called outside a graph run (a node function in a unit test)
        return
    writer(event.model_dump(mode="json"))


def where(config: RunnableConfig, turn: int | None) -> dict[str, Any]:
    """The ``thread_id`` and ``turn`` every event carries."""
    return {"thread_id": thread_of(config), "turn": turn or 1}
