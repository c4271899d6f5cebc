"""Run one case in a fresh Baton home and record what happened, from the run's own trace.

Each case gets the sample world as ``baton world init`` makes it, a SQLite checkpointer and
the orchestrator; every approval the run asks for is approved (the eval plays an operator
who says yes, so a wrong refund shows in the world), up to a bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langgraph.types import Command

from agents.models.tiers import ModelTiers
from evals.cases import Case
from graphs.checkpointer import open_checkpointer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from persistence.trace import TraceLog
from persistence.world.report import refunds_and_tickets
from tools.world import World

THREAD = "eval"
MAX_APPROVAL_ROUNDS = 6


@dataclass
class Observed:
    """What one case's run did: its end state, its trace, and the world after it."""

    case_id: str
    status: str
    route: str | None
    final_answer: str
    error: str | None
    plan: list[dict[str, Any]]
    trace: list[dict[str, Any]]
    refunds: list[tuple[int, int, str]]
    tickets: list[dict[str, Any]]
    emails: int
    latency_s: float
    crashed: str | None = None
    approvals: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def run_case(case: Case, tiers: ModelTiers, home: Path) -> Observed:
    """Run ``case`` in the new home ``home`` with ``tiers``; never raises for a run's failure."""
    world = World(home)
    world.init()
    seeded = {r["id"] for r in refunds_and_tickets(world)[0]}
    settings = Settings(home=home, _env_file=None)
    saver = open_checkpointer(settings.database)
    config: Any = {"configurable": {"thread_id": THREAD}}
    started = time.perf_counter()
    crashed = None
    approvals = 0
    try:
        graph = build_orchestrator(checkpointer=saver, settings=settings, tiers=tiers)
        graph.invoke({"request": case.request}, config, durability="sync")
        for _ in range(MAX_APPROVAL_ROUNDS):
            pending = graph.get_state(config).interrupts
            if not pending:
                break
            approvals += len(pending)
            decisions = {i.id: {"type": "approve"} for i in pending}
            graph.invoke(Command(resume=decisions), config, durability="sync")
        values = dict(graph.get_state(config).values)
    except Exception as exc:  # a crash is a result of the eval, recorded, not raised
        crashed = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        values = {}
    finally:
        latency = time.perf_counter() - started
        saver.close()
    found_refunds, found_tickets = refunds_and_tickets(world)
    refunds = [
        (int(r["order_id"]), int(r["amount_cents"]), str(r["currency"]))
        for r in found_refunds
        if r["id"] not in seeded
    ]
    tickets = [{"severity": r["severity"], "product": r["product"]} for r in found_tickets]
    outbox = world.outbox_dir
    route = values.get("route")
    return Observed(
        case_id=case.id,
        status=str(values.get("status") or ("crashed" if crashed else "unknown")),
        route=route.get("route") if isinstance(route, dict) else None,
        final_answer=str(values.get("final_answer") or ""),
        error=values.get("error") or crashed,
        plan=list(values.get("plan") or []),
        trace=TraceLog(settings.db_path).events(THREAD),
        refunds=refunds,
        tickets=tickets,
        emails=len(list(outbox.glob("*.eml"))) if outbox.exists() else 0,
        latency_s=latency,
        crashed=crashed,
        approvals=approvals,
    )
