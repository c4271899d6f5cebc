"""Per-superstep overhead on Baton's orchestrator: durable vs the same graph uncheckpointed.

The request is answered from the knowledge base (triage ─► researcher worker subgraph with
its model and tool turns ─► synthesize ─► finish), so it runs to the end with no approval
and can run without a checkpointer. Every node is Baton's real code (tools, ledger, budget
and trace on SQLite); only the models are the offline stand-in plus a fixed latency. The
durable side compiles over ``graphs.checkpointer.open_checkpointer`` with durability
``sync``; the baseline is the same ``build_orchestrator`` with no checkpointer, and
LangGraph's ``InMemorySaver`` (same serializer) runs alongside as the floor.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from bench.stubs import latency_tiers
from bench.timing import median_seconds, timed
from graphs.checkpointer import open_checkpointer, serializer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from tools.world import World

REQUEST = "How long does a refund for a duplicate charge take to reach the customer?"


def _supersteps(db_path: Path, thread_id: str) -> int:
    """Checkpoints the thread wrote in every namespace: one per superstep (plus inputs)."""
    with closing(sqlite3.connect(db_path)) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?", (thread_id,)
        ).fetchone()
    return int(row[0])


def run(workdir: Path, *, latency_s: float, repeats: int) -> dict[str, Any]:
    """Median seconds per run, durable and baseline, their ratio, and supersteps per run."""
    home = workdir / f"orchestrator-{int(latency_s * 1000)}"
    World(home).init()
    settings = Settings(home=home, _env_file=None)
    saver = open_checkpointer(settings.db_path)
    tiers = latency_tiers(latency_s)
    durable = build_orchestrator(checkpointer=saver, settings=settings, tiers=tiers)
    memory_saver = InMemorySaver(serde=serializer())
    memory = build_orchestrator(checkpointer=memory_saver, settings=settings, tiers=tiers)
    raw = build_orchestrator(settings=settings, tiers=tiers)
    start = {"request": REQUEST}
    durable_s: list[float] = []
    memory_s: list[float] = []
    raw_s: list[float] = []
    for i in range(-1, repeats):  # round -1 warms every path
        config = {"configurable": {"thread_id": f"d{i}"}}
        took = timed(partial(durable.invoke, start, config, durability="sync"))
        in_memory = {"configurable": {"thread_id": f"m{i}"}}
        took_memory = timed(partial(memory.invoke, start, in_memory, durability="sync"))
        took_raw = timed(partial(raw.invoke, start, {"configurable": {"thread_id": f"r{i}"}}))
        if i >= 0:
            durable_s.append(took)
            memory_s.append(took_memory)
            raw_s.append(took_raw)
    final = durable.get_state({"configurable": {"thread_id": "d0"}}).values
    saver.conn.close()
    steps = _supersteps(settings.db_path, "d0")
    d, r = median_seconds(durable_s), median_seconds(raw_s)
    return {
        "latency_ms": latency_s * 1000,
        "status": final.get("status"),
        "checkpoints_per_run": steps,
        "durable_ms_per_run": d * 1000,
        "raw_ms_per_run": r * 1000,
        "durable_ms_per_superstep": d * 1000 / steps,
        "raw_ms_per_superstep": r * 1000 / steps,
        "ratio": d / r,
        "in_memory_saver_ratio": median_seconds(memory_s) / r,
    }
