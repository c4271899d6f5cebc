"""``baton serve`` against the same flows in process and on ``langgraph dev``, in one run.

Three sides run the same approval flows (run, approve, approve; ``bench.serve_flows``), each
on its own home seeded alike: in process (the orchestrator streamed over Baton's async saver
in this process, the floor a service adds to), ``baton serve`` and ``langgraph dev`` (real
processes on the graphs ``langgraph.json`` names, driven with the stock ``langgraph-sdk``;
the same offline stand-in model everywhere). All three stay up for the whole workload and
take turns, so a slow spell of the shared machine lands on every side: ``flows`` flows one
after another, each flow run on every side back to back (the side that leads rotates), and
``rounds`` rounds of ``flows`` flows at once, one side after the other (the leader rotates).
Ratios are medians of those pairs. Also reported: how long after a run is posted its first
server-sent event arrives. Every flow must end ``done`` with one refund per order.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.serve_flows import Flow, in_process_flow, refunded, sdk_flow, seed_home
from bench.servers import baton_serve, langgraph_dev

SIDES = ("in_process", "serve", "dev")
Start = Callable[[int], Awaitable[Flow]]


def _rotated(turn: int) -> list[str]:
    return [SIDES[(turn + i) % len(SIDES)] for i in range(len(SIDES))]


async def _timed(start: Start, orders: list[int]) -> tuple[float, list[Flow]]:
    began = time.perf_counter()
    flows = list(await asyncio.gather(*(start(order) for order in orders)))
    return time.perf_counter() - began, flows


async def _measure(
    starts: dict[str, Start], orders: Iterator[int], flows: int, rounds: int
) -> dict[str, Any]:
    for name in SIDES:
        await starts[name](next(orders))  # warm-up: first-call costs of every path
    seconds: dict[str, dict[str, list[float]]] = {n: {"seq": [], "conc": []} for n in SIDES}
    seen: dict[str, list[Flow]] = {n: [] for n in SIDES}
    alone: dict[str, list[Flow]] = {n: [] for n in SIDES}
    for turn in range(flows):
        order = next(orders)
        for name in _rotated(turn):
            took, done = await _timed(starts[name], [order])
            seconds[name]["seq"].append(took)
            seen[name] += done
            alone[name] += done
    for turn in range(rounds):
        batch = [next(orders) for _ in range(flows)]
        for name in _rotated(turn):
            took, done = await _timed(starts[name], batch)
            seconds[name]["conc"].append(took)
            seen[name] += done
    return {"seconds": seconds, "flows": seen, "alone": alone}


def _pair(numerator: list[float], denominator: list[float]) -> float:
    return statistics.median(n / d for n, d in zip(numerator, denominator, strict=True))


def _side(seconds: dict[str, list[float]], flows: list[Flow], alone: list[Flow]) -> dict[str, Any]:
    # time to the first event of a flow's first run, on a server with nothing else to do
    firsts = [f.first_event_s for f in alone if f.first_event_s is not None]
    side: dict[str, Any] = {
        "sequential_s": sum(seconds["seq"]),
        "concurrent_s": statistics.median(seconds["conc"]),
        "done": sum(f.status == "done" for f in flows),
        "flows": len(flows),
    }
    if firsts:
        side["first_event_ms"] = {
            "median": statistics.median(firsts) * 1000,
            "max": max(firsts) * 1000,
        }
    return side


async def _all(
    homes: dict[str, Path], urls: dict[str, str], orders: list[int], flows: int, rounds: int
) -> dict[str, Any]:
    from langgraph_sdk import get_client

    from graphs.checkpointer import open_async_checkpointer
    from graphs.orchestrator import build_orchestrator
    from graphs.settings import Settings

    settings = Settings(home=homes["in_process"], _env_file=None)
    clients = {name: get_client(url=url, api_key=None) for name, url in urls.items()}
    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        starts: dict[str, Start] = {
            "in_process": lambda order: in_process_flow(graph, order),
            "serve": lambda order: sdk_flow(clients["serve"], order),
            "dev": lambda order: sdk_flow(clients["dev"], order),
        }
        return await _measure(starts, iter(orders), flows, rounds)


def run(workdir: Path, *, flows: int, rounds: int = 2) -> dict[str, Any]:
    """Time every side; the ratios of ``baton serve`` to in process and to ``langgraph dev``."""
    homes = {name: workdir / f"serve-{name}" / "home" for name in SIDES}
    orders: list[int] = []
    for home in homes.values():
        home.parent.mkdir(parents=True, exist_ok=True)
        orders = seed_home(home, len(SIDES) + flows + rounds * flows)
    with ExitStack() as servers:
        urls = {
            "serve": servers.enter_context(baton_serve(homes["serve"])),
            "dev": servers.enter_context(langgraph_dev(homes["dev"])),
        }
        measured = asyncio.run(_all(homes, urls, orders, flows, rounds))
    seconds, seen = measured["seconds"], measured["flows"]
    result: dict[str, Any] = {"flows": flows, "rounds": rounds}
    for name in SIDES:
        result[name] = _side(seconds[name], seen[name], measured["alone"][name])
        result[name]["refunds"] = refunded(homes[name], orders)
    serve, local, dev = seconds["serve"], seconds["in_process"], seconds["dev"]
    result["sequential_ratio"] = _pair(serve["seq"], local["seq"])
    result["concurrent_ratio"] = _pair(serve["conc"], local["conc"])
    result["sequential_vs_dev"] = _pair(serve["seq"], dev["seq"])
    result["concurrent_vs_dev"] = _pair(serve["conc"], dev["conc"])
    return result
