"""``python -m bench --profile``: profile each side of the superstep, concurrency, fan-out runs.

Each side (durable Baton, LangGraph's ``InMemorySaver``, no checkpointer) is run once under
cProfile with the same graph, and written to ``bench/results/profile-<workload>.txt``, so
the cost of checkpointing can be read off by package: what LangGraph's checkpoint
bookkeeping costs with no I/O, and what Baton's saver and SQLite add on top.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from bench import concurrency, fanout, superstep
from bench.profile import profile, render
from graphs.checkpointer import open_async_checkpointer, open_checkpointer

SIDES = ("durable", "in-memory saver", "no checkpointer")


def _superstep(workdir: Path, steps: int, runs: int) -> list[tuple[str, pstats.Stats]]:
    saver = open_checkpointer(workdir / "profile-superstep.db")
    graphs = {
        "durable": superstep.build_loop(steps, 0.0, saver),
        "in-memory saver": superstep.build_loop(steps, 0.0, InMemorySaver()),
        "no checkpointer": superstep.build_loop(steps, 0.0),
    }
    out: list[tuple[str, pstats.Stats]] = []
    for side, graph in graphs.items():

        def once(graph: Any = graph, side: str = side) -> None:
            extra = {} if side.endswith("no checkpointer") else {"durability": "sync"}
            for i in range(runs):
                config = {"configurable": {"thread_id": f"{side}-{i}"}}
                graph.invoke({"request": "bench", "steps": 0}, config, **extra)

        once(graph, f"warm-{side}")
        out.append((side, profile(once)))
    saver.conn.close()
    return out


async def _concurrency(workdir: Path, threads: int) -> list[tuple[str, pstats.Stats]]:
    out: list[tuple[str, pstats.Stats]] = []
    async with open_async_checkpointer(workdir / "profile-concurrency.db") as saver:
        graphs = {
            "durable": concurrency.build_chat(5, 0.05, saver),
            "in-memory saver": concurrency.build_chat(5, 0.05, InMemorySaver()),
            "no checkpointer": concurrency.build_chat(5, 0.05),
        }
        for side, graph in graphs.items():
            durable = side != "no checkpointer"
            await concurrency.wall(graph, threads, f"warm-{side}", durable)
            profiler = cProfile.Profile()
            profiler.enable()
            seconds = await concurrency.wall(graph, threads, side, durable)
            profiler.disable()
            out.append((f"{side}: {seconds:.3f} s wall", pstats.Stats(profiler)))
    return out


async def _fanout(workdir: Path, workers: int) -> list[tuple[str, pstats.Stats]]:
    out: list[tuple[str, pstats.Stats]] = []
    async with open_async_checkpointer(workdir / "profile-fanout.db") as saver:
        graphs = {
            "durable": fanout.build_fanout(saver),
            "in-memory saver": fanout.build_fanout(InMemorySaver()),
            "no checkpointer": fanout.build_fanout(),
        }
        for side, graph in graphs.items():
            extra = {} if side == "no checkpointer" else {"durability": "sync"}
            for tag in ("warm", "profiled"):
                config = {"configurable": {"thread_id": f"{side}-{tag}"}}
                profiler = cProfile.Profile()
                start = time.perf_counter()
                profiler.enable()
                await graph.ainvoke({"workers": workers}, config, **extra)
                profiler.disable()
                seconds = time.perf_counter() - start
            out.append((f"{side}: {seconds:.3f} s wall", pstats.Stats(profiler)))
    return out


async def _postgres_concurrency(threads: int) -> list[tuple[str, pstats.Stats]]:
    """200 threads on Baton's PostgreSQL saver, the stock one and none (a scratch database)."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    from bench.postgres import scratch_database
    from graphs.checkpointer import serializer
    from persistence.database import PostgresDatabase

    out: list[tuple[str, pstats.Stats]] = []
    async with (
        scratch_database() as url,
        open_async_checkpointer(PostgresDatabase(url)) as saver,
        AsyncPostgresSaver.from_conn_string(url, serde=serializer()) as stock,
    ):
        graphs = {
            "Baton's PostgreSQL saver": concurrency.build_chat(5, 0.05, saver),
            "stock AsyncPostgresSaver": concurrency.build_chat(5, 0.05, stock),
            "no checkpointer": concurrency.build_chat(5, 0.05),
        }
        for side, graph in graphs.items():
            durable = side != "no checkpointer"
            await concurrency.wall(graph, threads, f"warm-{side}", durable)
            profiler = cProfile.Profile()
            profiler.enable()
            seconds = await concurrency.wall(graph, threads, side, durable)
            profiler.disable()
            out.append((f"{side}: {seconds:.3f} s wall", pstats.Stats(profiler)))
    return out


def write_profiles(workdir: Path, results_dir: Path) -> list[Path]:
    """Profile both workloads side by side; the report files written."""
    jobs: dict[str, Callable[[], list[tuple[str, pstats.Stats]]]] = {
        "superstep": lambda: _superstep(workdir, steps=50, runs=20),
        "concurrency": lambda: asyncio.run(_concurrency(workdir, threads=200)),
        "fanout-1000": lambda: asyncio.run(_fanout(workdir, workers=1000)),
        "postgres-concurrency": lambda: asyncio.run(_postgres_concurrency(threads=200)),
    }
    written: list[Path] = []
    for name, job in jobs.items():
        sections = [render(f"== {name}: {side} ==", stats) for side, stats in job()]
        path = results_dir / f"profile-{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n\n".join(sections))
        written.append(path)
    return written
