"""Per-superstep overhead: a loop of N trivial steps, durable Baton vs raw LangGraph.

The durable side compiles the graph over ``graphs.checkpointer.open_checkpointer`` and runs
with durability ``sync`` (each superstep committed before the next starts); the baseline
is the same topology compiled with no checkpointer. LangGraph's ``InMemorySaver`` runs
alongside as the floor (what checkpointing costs with no I/O at all), and at 0 ms the stock
``SqliteSaver`` on the same pragmas.
"""

from __future__ import annotations

import operator
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from bench.stock import open_stock
from bench.stubs import call_stub
from bench.timing import median_seconds, timed
from graphs.checkpointer import open_checkpointer


class LoopState(TypedDict, total=False):
    """A request and a step counter, like a small agent loop."""

    request: str
    steps: int
    log: Annotated[list[str], operator.add]


def build_loop(steps: int, latency_s: float, checkpointer: Any = None) -> Any:
    """A one-node loop that runs ``steps`` supersteps, each calling the stub once."""

    def step(state: LoopState) -> dict[str, Any]:
        call_stub(latency_s)
        return {"steps": state.get("steps", 0) + 1}

    def again(state: LoopState) -> str:
        return "step" if state.get("steps", 0) < steps else END

    graph = StateGraph(LoopState)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_conditional_edges("step", again, ["step", END])
    return graph.compile(checkpointer=checkpointer).with_config(recursion_limit=steps + 10)


def run(
    workdir: Path, *, steps: int, latency_s: float, repeats: int, with_stock: bool = False
) -> dict[str, Any]:
    """Median seconds per superstep, durable and baseline, and their ratio.

    ``with_stock`` also times the stock ``SqliteSaver`` (same pragmas and serializer).
    """
    saver = open_checkpointer(workdir / f"superstep-{int(latency_s * 1000)}.db")
    durable = build_loop(steps, latency_s, saver)
    memory = build_loop(steps, latency_s, InMemorySaver())
    raw = build_loop(steps, latency_s)
    stock_saver = open_stock(workdir / "superstep-stock.db") if with_stock else None
    stock = build_loop(steps, latency_s, stock_saver) if stock_saver is not None else None
    start = {"request": "bench", "steps": 0}
    raw.invoke(start)  # warm both paths before timing
    durable.invoke(start, {"configurable": {"thread_id": "warm"}}, durability="sync")
    durable_s: list[float] = []
    memory_s: list[float] = []
    stock_s: list[float] = []
    raw_s: list[float] = []
    for i in range(repeats):
        config = {"configurable": {"thread_id": f"t{i}"}}
        durable_s.append(timed(partial(durable.invoke, start, config, durability="sync")))
        memory_s.append(timed(partial(memory.invoke, start, config, durability="sync")))
        if stock is not None:
            stock_s.append(timed(partial(stock.invoke, start, config, durability="sync")))
        raw_s.append(timed(partial(raw.invoke, start)))
    saver.conn.close()
    if stock_saver is not None:
        stock_saver.conn.close()
    per_durable = median_seconds(durable_s) / steps
    per_raw = median_seconds(raw_s) / steps
    per_memory = median_seconds(memory_s) / steps
    row = {
        "steps": steps,
        "latency_ms": latency_s * 1000,
        "durable_ms_per_step": per_durable * 1000,
        "raw_ms_per_step": per_raw * 1000,
        "ratio": per_durable / per_raw,
        "in_memory_saver_ratio": per_memory / per_raw,
    }
    if stock_s:
        row["stock_saver_ratio"] = median_seconds(stock_s) / steps / per_raw
    return row
