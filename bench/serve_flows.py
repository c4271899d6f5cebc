"""The approval flow the ``serve`` workload times, in process and over HTTP.

One flow is a conversation's first turn on a double charge: the run stops at the refund's
approval, a resume approves it and stops at the email's, a second resume approves that and
the turn ends ``done``. Each flow refunds its own order, so the bench seeds every home with
the same extra orders, each charged twice (the stand-in model reads the order id from the
request and finds the charges in the database like any other).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.types import Command

if TYPE_CHECKING:
    from tools.world import World

FIRST_ORDER = 9000
CUSTOMER = 1042
AMOUNT_CENTS = 12900
IN_PROCESS_MODES = ["updates", "custom", "messages"]
SDK_MODES = ["updates", "custom", "messages-tuple"]


def request_for(order: int) -> str:
    """The turn that starts a flow on ``order``."""
    return (
        f"Customer {CUSTOMER} was charged twice for order {order}; "
        "refund the duplicate and email them."
    )


def _world(home: Path, database_url: str | None) -> World:
    from persistence.database import PostgresDatabase
    from tools.world import World

    return World(home, database=PostgresDatabase(database_url) if database_url else None)


def seed_home(home: Path, flows: int, database_url: str | None = None) -> list[int]:
    """Create the world with ``flows`` doubly charged orders; their ids.

    The world is under ``home``, or in the PostgreSQL database ``database_url`` names.
    """
    from persistence.world.store import write

    world = _world(home, database_url)
    world.init()
    orders = [FIRST_ORDER + i for i in range(flows)]
    with write(world) as conn:
        for order in orders:
            conn.execute(
                "INSERT INTO orders VALUES (?, ?, 'Pro plan annual', ?, 'USD', 'paid', ?)",
                (order, CUSTOMER, AMOUNT_CENTS, "2025-06-01T10:00:00Z"),
            )
            for n in (1, 2):
                conn.execute(
                    "INSERT INTO charges VALUES (?, ?, ?, ?, 'USD', 'captured', ?)",
                    (f"ch_{order}_{n}", order, CUSTOMER, AMOUNT_CENTS, f"2025-06-01T10:0{n}:00Z"),
                )
    return orders


def refunded(home: Path, orders: list[int], database_url: str | None = None) -> int:
    """How many refunds the orders got (a correct run gives one each)."""
    from persistence.world.store import read

    with read(_world(home, database_url)) as conn:
        marks = ",".join("?" for _ in orders)
        sql = f"SELECT COUNT(*) AS n FROM refunds WHERE order_id IN ({marks})"
        return int(conn.execute(sql, orders).fetchone()["n"])


@dataclass
class Flow:
    """What one flow saw: its status and how long its first run took to send anything."""

    status: str
    first_event_s: float | None = None


async def in_process_flow(graph: Any, order: int) -> Flow:
    """The flow through ``graph.astream`` over Baton's async saver."""
    thread = f"bench-{order}-{uuid.uuid4().hex[:6]}"
    turn: Any = {"messages": [{"type": "human", "content": request_for(order)}]}
    while True:
        config = {"configurable": {"thread_id": thread}, "metadata": {"run_id": str(uuid.uuid4())}}
        async for _ in graph.astream(turn, config, stream_mode=IN_PROCESS_MODES, subgraphs=False):
            pass
        state = await graph.aget_state(config)
        if not state.interrupts:
            return Flow(str(state.values.get("status")))
        turn = Command(resume={i.id: {"type": "approve"} for i in state.interrupts})


async def sdk_flow(client: Any, order: int) -> Flow:
    """The flow through a LangGraph server, with the stock ``langgraph-sdk``."""
    thread_id = (await client.threads.create())["thread_id"]
    run: dict[str, Any] = {
        "input": {"messages": [{"type": "human", "content": request_for(order)}]}
    }
    first: float | None = None
    while True:
        sent = time.perf_counter()
        async for _ in client.runs.stream(thread_id, "baton", stream_mode=SDK_MODES, **run):
            if first is None:
                first = time.perf_counter() - sent
        state = await client.threads.get_state(thread_id)
        if not state["interrupts"]:
            return Flow(str(state["values"].get("status")), first)
        run = {"command": {"resume": {i["id"]: {"type": "approve"} for i in state["interrupts"]}}}
