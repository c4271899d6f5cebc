"""Fan-out: N parallel workers (``Send``) of 100 ms each, durable vs no checkpointer.

Each ratio is the median over repetitions of that repetition's own ratio (its runs are
back to back).

Both sides run async (``ainvoke``), so all N workers really wait at once; the durable side
uses ``graphs.checkpointer.open_async_checkpointer`` with durability ``sync``. LangGraph's
``InMemorySaver`` runs alongside as the floor (what checkpointing costs with no I/O at
all), and the stock ``AsyncSqliteSaver`` on the same pragmas.
"""

from __future__ import annotations

import operator
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from bench.stock import open_stock_async
from bench.stubs import acall_stub
from bench.timing import atimed, median_seconds, paired_ratio
from graphs.checkpointer import open_async_checkpointer

WORKER_LATENCY_S = 0.1


class FanState(TypedDict, total=False):
    """How many workers to start, and what they returned."""

    workers: int
    done: Annotated[list[int], operator.add]


class WorkerInput(TypedDict):
    """One worker's share of the work."""

    index: int


def build_fanout(checkpointer: Any = None) -> Any:
    """Plan ─► N × worker (Send) ─► join."""

    def plan(state: FanState) -> dict[str, Any]:
        return {}

    def dispatch(state: FanState) -> list[Send]:
        return [Send("worker", {"index": i}) for i in range(state["workers"])]

    async def worker(task: WorkerInput) -> dict[str, Any]:
        await acall_stub(WORKER_LATENCY_S)
        return {"done": [task["index"]]}

    def join(state: FanState) -> dict[str, Any]:
        return {}

    graph = StateGraph(FanState)
    graph.add_node("plan", plan)
    graph.add_node("worker", worker)  # type: ignore[arg-type]
    graph.add_node("join", join)
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", dispatch, ["worker"])
    graph.add_edge("worker", "join")
    graph.add_edge("join", END)
    return graph.compile(checkpointer=checkpointer)


async def run(workdir: Path, *, sizes: list[int], repeats: int) -> list[dict[str, Any]]:
    """For each N: median wall time durable and baseline, their ratio, and wall / 100 ms."""
    rows: list[dict[str, Any]] = []
    async with (
        open_async_checkpointer(workdir / "fanout.db") as saver,
        open_stock_async(workdir / "fanout-stock.db") as stock_saver,
    ):
        durable = build_fanout(saver)
        stock = build_fanout(stock_saver)
        memory = build_fanout(InMemorySaver())
        raw = build_fanout()
        for n in sizes:
            start = {"workers": n}
            durable_s: list[float] = []
            memory_s: list[float] = []
            stock_s: list[float] = []
            raw_s: list[float] = []
            for i in range(repeats):
                config = {"configurable": {"thread_id": f"n{n}-{i}"}}
                run_durable = partial(durable.ainvoke, start, config, durability="sync")
                durable_s.append(await atimed(run_durable))
                run_memory = partial(memory.ainvoke, start, config, durability="sync")
                memory_s.append(await atimed(run_memory))
                run_stock = partial(stock.ainvoke, start, config, durability="sync")
                stock_s.append(await atimed(run_stock))
                raw_s.append(await atimed(partial(raw.ainvoke, start)))
            d, r = median_seconds(durable_s), median_seconds(raw_s)
            rows.append(
                {
                    "workers": n,
                    "durable_s": d,
                    "raw_s": r,
                    "ratio": paired_ratio(durable_s, raw_s),
                    "in_memory_saver_ratio": paired_ratio(memory_s, raw_s),
                    "stock_saver_ratio": paired_ratio(stock_s, raw_s),
                    "durable_over_worker": d / WORKER_LATENCY_S,
                }
            )
    return rows
