"""Concurrency: 200 threads × 5 steps × 50 ms in one event loop, durable vs none.

Throughput is steps per second of wall time; the result is the durable run's throughput
as a fraction of the same run with no checkpointer, the median over repetitions of each
repetition's own fraction (the sides run back to back, each leading in turn). LangGraph's
``InMemorySaver`` runs alongside as the floor (the fraction reachable with no I/O at all),
and the stock ``AsyncSqliteSaver`` on the same pragmas. Baton's async saver commits on the
event loop, so the saver's own record of how long each commit round held the loop is
reported, and a separate pass measures how late a 1 ms timer fires during a durable run
and during an in-memory one (event-loop lag): what the commits cost everything else on
that loop.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from bench.stock import open_stock_async
from bench.stubs import acall_stub
from bench.timing import median_seconds, paired_ratio
from graphs.checkpointer import open_async_checkpointer
from persistence.sqlite.loop_commit import percentiles_ms


class ChatState(TypedDict, total=False):
    """A request and how many steps it has taken."""

    request: str
    steps: int


def build_chat(steps: int, latency_s: float, checkpointer: Any = None) -> Any:
    """A one-node loop of ``steps`` supersteps, each an async stub call."""

    async def step(state: ChatState) -> dict[str, Any]:
        await acall_stub(latency_s)
        return {"steps": state.get("steps", 0) + 1}

    def again(state: ChatState) -> str:
        return "step" if state.get("steps", 0) < steps else END

    graph = StateGraph(ChatState)
    graph.add_node("step", step)
    graph.add_edge(START, "step")
    graph.add_conditional_edges("step", again, ["step", END])
    return graph.compile(checkpointer=checkpointer)


async def wall(graph: Any, threads: int, tag: str, durable: bool) -> float:
    """Seconds for ``threads`` threads of ``graph`` run at once, tagged ``tag``."""
    gc.collect()  # each side starts from a collected heap
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.gather(
        *(
            graph.ainvoke(
                {"request": "bench", "steps": 0},
                {"configurable": {"thread_id": f"{tag}-{i}"}},
                durability="sync" if durable else None,
            )
            for i in range(threads)
        )
    )
    return loop.time() - start


async def loop_lag(graph: Any, threads: int, tag: str) -> dict[str, float]:
    """How late a 1 ms timer fires while ``threads`` threads of ``graph`` run (ms)."""
    lags: list[float] = []
    loop = asyncio.get_running_loop()

    async def watch() -> None:
        while True:
            start = loop.time()
            await asyncio.sleep(0.001)
            lags.append(loop.time() - start - 0.001)

    watcher = asyncio.create_task(watch())
    await wall(graph, threads, tag, durable=True)
    watcher.cancel()
    return percentiles_ms(lags)


async def run(
    workdir: Path, *, threads: int, steps: int, latency_s: float, repeats: int
) -> dict[str, Any]:
    """Steps per second, durable and baseline, and the durable fraction of the baseline."""
    async with (
        open_async_checkpointer(workdir / "concurrency.db") as saver,
        open_stock_async(workdir / "concurrency-stock.db") as stock_saver,
    ):
        durable = build_chat(steps, latency_s, saver)
        memory = build_chat(steps, latency_s, InMemorySaver())
        stock = build_chat(steps, latency_s, stock_saver)
        raw = build_chat(steps, latency_s)
        sides = {"durable": durable, "memory": memory, "stock": stock, "raw": raw}
        seconds: dict[str, list[float]] = {side: [] for side in sides}
        for i in range(repeats):
            order = list(sides)[i % 4 :] + list(sides)[: i % 4]  # each side leads in turn
            for side in order:
                took = await wall(sides[side], threads, f"r{i}", durable=side != "raw")
                seconds[side].append(took)
        lag_durable = await loop_lag(durable, threads, "lag")
        lag_memory = await loop_lag(memory, threads, "lag")
        rounds = saver.loop_round_ms()
    total = threads * steps
    raw_s = seconds["raw"]
    return {
        "threads": threads,
        "steps": steps,
        "latency_ms": latency_s * 1000,
        "durable_steps_per_s": total / median_seconds(seconds["durable"]),
        "raw_steps_per_s": total / median_seconds(raw_s),
        "fraction": paired_ratio(raw_s, seconds["durable"]),
        "in_memory_saver_fraction": paired_ratio(raw_s, seconds["memory"]),
        "stock_saver_fraction": paired_ratio(raw_s, seconds["stock"]),
        "seconds": seconds,
        "loop_lag_ms": {"durable": lag_durable, "in_memory_saver": lag_memory},
        "commit_rounds_on_loop_ms": rounds,
    }
