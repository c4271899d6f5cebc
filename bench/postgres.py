"""PostgreSQL: Baton's async saver against the stock ``AsyncPostgresSaver`` and no saver.

Three workloads, each side by side in one process on one scratch database (created here
and dropped at the end; the server is ``BENCH_POSTGRES_URL``, by default the local one):
Baton's orchestrator (0 ms model, ms per run), fan-out of N = 100 and 1000 workers of
100 ms, and 200 threads × 5 steps × 50 ms. The stock saver is opened the way its
documentation shows (``AsyncPostgresSaver.from_conn_string``, one connection) with the
same serializer; Baton's is ``graphs.checkpointer.open_async_checkpointer`` on a pool.
Every ratio is the median of back-to-back pairs, each side leading in turn.
"""

from __future__ import annotations

import asyncio
import gc
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import sql

from bench.concurrency import build_chat
from bench.fanout import build_fanout
from bench.orchestrator import REQUEST
from bench.stubs import latency_tiers
from bench.timing import median_seconds, paired_ratio
from graphs.checkpointer import open_async_checkpointer, serializer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from persistence.database import PostgresDatabase
from persistence.postgres.saver_async import BatonAsyncPostgresSaver
from tools.world import World

SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@asynccontextmanager
async def scratch_database() -> AsyncIterator[str]:
    """A new database on ``SERVER`` for this run; dropped afterwards."""
    name = f"baton_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{SERVER.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def _timed(run: Callable[[], Awaitable[object]]) -> float:
    gc.collect()
    loop = asyncio.get_running_loop()
    start = loop.time()
    await run()
    return loop.time() - start


async def _sides(
    graphs: dict[str, Any], start: Any, repeats: int, tag: str, threads: int = 1
) -> dict[str, list[float]]:
    """Seconds per repetition for each side, the sides taking turns to lead."""
    seconds: dict[str, list[float]] = {side: [] for side in graphs}
    names = list(graphs)
    for i in range(-1, repeats):  # round -1 warms every side
        order = names[i % len(names) :] + names[: i % len(names)]
        for side in order:
            graph, durable = graphs[side], side != "raw"

            prefix = f"{tag}-{side}-{i}"

            async def one(
                graph: Any = graph, durable: bool = durable, prefix: str = prefix
            ) -> None:
                await asyncio.gather(
                    *(
                        graph.ainvoke(
                            start,
                            {"configurable": {"thread_id": f"{prefix}-{t}"}},
                            durability="sync" if durable else None,
                        )
                        for t in range(threads)
                    )
                )

            took = await _timed(one)
            if i >= 0:
                seconds[side].append(took)
    return seconds


def _row(seconds: dict[str, list[float]]) -> dict[str, Any]:
    return {
        "baton_s": median_seconds(seconds["baton"]),
        "stock_s": median_seconds(seconds["stock"]),
        "raw_s": median_seconds(seconds["raw"]),
        "ratio": paired_ratio(seconds["baton"], seconds["raw"]),
        "stock_ratio": paired_ratio(seconds["stock"], seconds["raw"]),
        "baton_vs_stock": paired_ratio(seconds["baton"], seconds["stock"]),
        "seconds": seconds,
    }


async def run(workdir: Path, *, repeats: int, sizes: list[int]) -> dict[str, Any]:
    """Every PostgreSQL workload; each row has Baton's, the stock and the raw times."""
    async with scratch_database() as url:
        database = PostgresDatabase(url, max_size=10)
        async with (
            open_async_checkpointer(database) as baton,
            AsyncPostgresSaver.from_conn_string(url, serde=serializer()) as stock,
        ):
            await stock.setup()  # already there (Baton migrated first): the stock check
            World(workdir / "pg-orchestrator").init()
            settings = Settings(home=workdir / "pg-orchestrator", _env_file=None)
            tiers = latency_tiers(0.0)
            orchestrators = {
                "baton": build_orchestrator(checkpointer=baton, settings=settings, tiers=tiers),
                "stock": build_orchestrator(checkpointer=stock, settings=settings, tiers=tiers),
                "raw": build_orchestrator(settings=settings, tiers=tiers),
            }
            request = {"request": REQUEST}
            orchestrator = _row(await _sides(orchestrators, request, repeats, "o"))
            fanouts = {"baton": build_fanout(baton), "stock": build_fanout(stock)}
            fanouts["raw"] = build_fanout()
            fanout = []
            for n in sizes:
                seconds = await _sides(fanouts, {"workers": n}, repeats, f"f{n}")
                fanout.append({"workers": n, **_row(seconds)})
            chats = {
                "baton": build_chat(5, 0.05, baton),
                "stock": build_chat(5, 0.05, stock),
                "raw": build_chat(5, 0.05),
            }
            chat_seconds = await _sides(chats, {"request": "bench", "steps": 0}, repeats, "c", 200)
            concurrency = {
                "threads": 200,
                "steps": 5,
                "latency_ms": 50.0,
                **_row(chat_seconds),
                "fraction": paired_ratio(chat_seconds["raw"], chat_seconds["baton"]),
                "stock_fraction": paired_ratio(chat_seconds["raw"], chat_seconds["stock"]),
            }
            rounds = baton.commit_rounds if isinstance(baton, BatonAsyncPostgresSaver) else 0
    return {
        "server_version": _server_version(),
        "orchestrator": orchestrator,
        "fanout": fanout,
        "concurrency": {**concurrency, "commit_rounds": rounds},
    }


def _server_version() -> str:
    with psycopg.connect(SERVER) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"
