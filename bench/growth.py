"""Growth: checkpoint bytes of one thread after 200 steps that each append a 1 KB message.

The messages channel is Baton's own (the state extends ``WorkerState``),
so the number follows whatever the workers really store. History must stay readable and
time travel must work: the result checks both.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph

from graphs.checkpointer import open_checkpointer
from state.graph_state import WorkerState

MESSAGE_BYTES = 1024


class GrowthState(WorkerState, total=False):
    """A worker's state (its real ``messages`` channel) and a step counter."""

    steps: int


def build_appender(steps: int, checkpointer: Any) -> Any:
    """A loop that appends one ~1 KB message per superstep, ``steps`` times."""

    def append(state: GrowthState) -> dict[str, Any]:
        n = state.get("steps", 0) + 1
        body = f"step {n} " + "x" * MESSAGE_BYTES
        return {"messages": [AIMessage(body[:MESSAGE_BYTES], id=f"m{n}")], "steps": n}

    def again(state: GrowthState) -> str:
        return "append" if state.get("steps", 0) < steps else END

    graph = StateGraph(GrowthState)
    graph.add_node("append", append)
    graph.add_edge(START, "append")
    graph.add_conditional_edges("append", again, ["append", END])
    return graph.compile(checkpointer=checkpointer).with_config(recursion_limit=steps + 10)


def stored_bytes(db_path: Path, thread_id: str) -> int:
    """Bytes of every checkpoint, metadata and write row of ``thread_id``."""
    with closing(sqlite3.connect(db_path)) as conn:
        checkpoints = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints "
            "WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()[0]
        writes = conn.execute(
            "SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]
    return int(checkpoints) + int(writes)


def run(workdir: Path, *, steps: int) -> dict[str, Any]:
    """Bytes stored, and whether history and time travel still work."""
    db_path = workdir / "growth.db"
    saver = open_checkpointer(db_path)
    graph = build_appender(steps, saver)
    config = {"configurable": {"thread_id": "growth"}}
    graph.invoke({"steps": 0}, config, durability="sync")
    history = list(graph.get_state_history(config))
    middle = next(s for s in history if s.values.get("steps") == steps // 2)
    travelled = graph.get_state(middle.config).values
    latest = graph.get_state(config).values
    saver.conn.close()
    return {
        "steps": steps,
        "message_bytes": MESSAGE_BYTES,
        "raw_message_bytes": steps * MESSAGE_BYTES,
        "checkpoint_bytes": stored_bytes(db_path, "growth"),
        "file_bytes": db_path.stat().st_size,
        "history_checkpoints": len(history),
        "latest_messages": len(latest["messages"]),
        "time_travel_ok": len(travelled["messages"]) == steps // 2,
    }
