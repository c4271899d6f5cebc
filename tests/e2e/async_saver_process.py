"""A process that writes through Baton's async saver until it is killed (see its test).

``python async_saver_process.py DB LOG puts`` runs 40 coroutines that store checkpoints and
print ``ack THREAD CHECKPOINT STEP`` after each ``aput`` and its ``aput_writes`` return.
``... DB LOG graph`` runs a counting graph on 40 threads of 300 steps; every step it runs is
appended to the file LOG as ``THREAD N``. ``... DB LOG resume`` finishes every thread of a
killed ``graph`` run (logging its steps the same way) and prints the final counts as JSON.
DB is a SQLite file, or a ``postgresql://`` URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import create_checkpoint, empty_checkpoint
from langgraph.graph import END, START, StateGraph

from graphs.checkpointer import open_async_checkpointer
from persistence.database import Database, PostgresDatabase, SqliteDatabase

THREADS = 40
STEPS = 300


class Count(TypedDict):
    """How many steps a thread has taken."""

    n: int


def counting_graph(saver: Any, log: int) -> Any:
    """One node that adds one, ``STEPS`` times, logging each step it runs to ``log``."""

    async def add(state: Count, config: RunnableConfig) -> Count:
        await asyncio.sleep(0)
        os.write(log, f"{config['configurable']['thread_id']} {state['n'] + 1}\n".encode())
        return {"n": state["n"] + 1}

    graph = StateGraph(Count)
    graph.add_node("add", add)
    graph.add_edge(START, "add")
    graph.add_conditional_edges("add", lambda s: "add" if s["n"] < STEPS else END, ["add", END])
    return graph.compile(checkpointer=saver)


async def puts(saver: Any, thread: str) -> None:
    """Store checkpoints (and a write each) forever, acknowledging each stored one."""
    checkpoint = empty_checkpoint()
    for step in range(10**9):
        checkpoint = create_checkpoint(checkpoint, None, step)
        config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
        saved = await saver.aput(config, checkpoint, {"source": "loop", "step": step}, {})
        await saver.aput_writes(saved, [("n", step)], f"task-{step}")
        print(f"ack {thread} {checkpoint['id']} {step}", flush=True)


async def main(db: Database, log_path: Path, mode: str) -> None:
    """Run ``mode`` against ``db``."""
    async with open_async_checkpointer(db) as saver:
        threads = [f"t{i}" for i in range(THREADS)]
        if mode == "puts":
            await asyncio.gather(*(puts(saver, t) for t in threads))
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        graph = counting_graph(saver, log)
        configs = [{"configurable": {"thread_id": t}} for t in threads]
        if mode == "graph":
            print("started", flush=True)
            await asyncio.gather(*(graph.ainvoke({"n": 0}, c, durability="sync") for c in configs))
        else:
            await asyncio.gather(*(graph.ainvoke(None, c, durability="sync") for c in configs))
            states = [await graph.aget_state(c) for c in configs]
            print(json.dumps({t: s.values["n"] for t, s in zip(threads, states, strict=True)}))


def database(where: str) -> Database:
    """A SQLite file, or PostgreSQL when ``where`` is a URL."""
    if where.startswith("postgresql://"):
        return PostgresDatabase(where)
    return SqliteDatabase(Path(where))


if __name__ == "__main__":
    asyncio.run(main(database(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
