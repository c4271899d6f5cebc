"""``baton serve`` against the same flows in process and on ``langgraph dev``, in one run.

Each side runs ``flows`` approval flows (run, approve, approve) one after another, then
``flows`` more all at once, each side on its own home seeded alike (``bench.serve_flows``).
In process is the orchestrator streamed over Baton's async saver in this process, the
floor a service adds to; ``baton serve`` and ``langgraph dev`` are real processes driven
with the stock ``langgraph-sdk``, the same graph (the graphs ``langgraph.json`` names) and
the same offline stand-in model. Also reported: how long after a run is posted its first
server-sent event arrives. Every flow must end ``done`` with one refund per order.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.serve_flows import Flow, in_process_flow, refunded, sdk_flow, seed_home
from bench.servers import baton_serve, langgraph_dev


async def _time(
    flows: list[Callable[[], Awaitable[Flow]]], concurrent: bool
) -> tuple[float, list[Flow]]:
    start = time.perf_counter()
    if concurrent:
        done = list(await asyncio.gather(*(flow() for flow in flows)))
    else:
        done = [await flow() for flow in flows]
    return time.perf_counter() - start, done


async def _side(
    make: Callable[[int], Callable[[], Awaitable[Flow]]], orders: list[int], flows: int
) -> dict[str, Any]:
    await make(orders[-1])()  # warm-up: first-call costs of every path
    sequential, seq_flows = await _time([make(o) for o in orders[:flows]], concurrent=False)
    concurrent, conc_flows = await _time(
        [make(o) for o in orders[flows : 2 * flows]], concurrent=True
    )
    every = seq_flows + conc_flows
    firsts = [f.first_event_s for f in seq_flows if f.first_event_s is not None]
    result: dict[str, Any] = {
        "sequential_s": sequential,
        "concurrent_s": concurrent,
        "done": sum(f.status == "done" for f in every),
        "flows": len(every),
    }
    if firsts:
        result["first_event_ms"] = {
            "median": statistics.median(firsts) * 1000,
            "max": max(firsts) * 1000,
        }
    return result


async def _in_process(home: Path, orders: list[int], flows: int) -> dict[str, Any]:
    from graphs.checkpointer import open_async_checkpointer
    from graphs.orchestrator import build_orchestrator
    from graphs.settings import Settings

    settings = Settings(home=home, _env_file=None)
    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        return await _side(lambda order: lambda: in_process_flow(graph, order), orders, flows)


async def _over_http(url: str, orders: list[int], flows: int) -> dict[str, Any]:
    from langgraph_sdk import get_client

    client = get_client(url=url, api_key=None)
    return await _side(lambda order: lambda: sdk_flow(client, order), orders, flows)


def run(workdir: Path, *, flows: int) -> dict[str, Any]:
    """Time every side; the ratios of ``baton serve`` to in process and to ``langgraph dev``."""
    sides: dict[str, Any] = {}
    homes = {name: workdir / f"serve-{name}" / "home" for name in ("in_process", "serve", "dev")}
    orders: list[int] = []
    for home in homes.values():
        home.parent.mkdir(parents=True, exist_ok=True)
        orders = seed_home(home, 2 * flows + 1)
    sides["in_process"] = asyncio.run(_in_process(homes["in_process"], orders, flows))
    with baton_serve(homes["serve"]) as url:
        sides["serve"] = asyncio.run(_over_http(url, orders, flows))
    with langgraph_dev(homes["dev"]) as url:
        sides["dev"] = asyncio.run(_over_http(url, orders, flows))
    for name, home in homes.items():
        sides[name]["refunds"] = refunded(home, orders)
    serve, local, dev = sides["serve"], sides["in_process"], sides["dev"]
    return {
        "flows": flows,
        **sides,
        "sequential_ratio": serve["sequential_s"] / local["sequential_s"],
        "concurrent_ratio": serve["concurrent_s"] / local["concurrent_s"],
        "sequential_vs_dev": serve["sequential_s"] / dev["sequential_s"],
        "concurrent_vs_dev": serve["concurrent_s"] / dev["concurrent_s"],
    }
