"""A thread of the real orchestrator on a real checkpointer (SQLite or PostgreSQL), scripted models.

``Run`` compiles the orchestrator with ``fakes.scripted_tiers(handlers)`` (roles without a
handler use the offline stand-in) over a test's own Baton home; it starts, inspects and
resumes one thread. ``run.reopen()`` builds a fresh graph, checkpointer connection and
models over the same files: what a new process resuming the thread would have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fakes import CallLog, Handler, scripted_tiers
from langgraph.types import Command, Interrupt
from world_rows import world_rows

from graphs.checkpointer import open_checkpointer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from persistence.trace import TraceLog
from tools.ledger import EffectLedger
from tools.world import World, world_database


@dataclass
class Run:
    """One thread of the orchestrator, and what the world looks like around it."""

    settings: Settings
    handlers: Mapping[str, Handler]
    thread: str = "thread-1"
    savers: list[Any] = field(default_factory=list)
    log: CallLog = field(default_factory=CallLog)

    def __post_init__(self) -> None:
        self.graph = self._build()

    def _build(self) -> Any:
        saver = open_checkpointer(self.settings.database)
        self.savers.append(saver)
        tiers, _ = scripted_tiers(self.handlers, log=self.log)
        return build_orchestrator(checkpointer=saver, settings=self.settings, tiers=tiers)

    def reopen(self, handlers: Mapping[str, Handler] | None = None) -> CallLog:
        """Replace graph, saver and models (and handlers, if given); returns the new log."""
        if handlers is not None:
            self.handlers = handlers
        self.log = CallLog()
        self.graph = self._build()
        return self.log

    @property
    def config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread}}

    def start(self, request: str) -> dict[str, Any]:
        out: dict[str, Any] = self.graph.invoke(
            {"request": request}, self.config, durability="sync"
        )
        return out

    def continue_after_crash(self) -> dict[str, Any]:
        """Run the thread on from its last checkpoint (what ``baton resume`` does)."""
        out: dict[str, Any] = self.graph.invoke(None, self.config, durability="sync")
        return out

    def resume(self, decisions: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.graph.invoke(
            Command(resume=dict(decisions)), self.config, durability="sync"
        )
        return out

    @property
    def interrupts(self) -> list[Interrupt]:
        return list(self.graph.get_state(self.config).interrupts)

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.graph.get_state(self.config).values)

    def pending(self, name: str | None = None) -> Interrupt:
        """The one pending interrupt (for tool ``name`` if given)."""
        found = [i for i in self.interrupts if name is None or i.value["name"] == name]
        assert len(found) == 1, [i.value for i in self.interrupts]
        return found[0]

    def approve_once(self, name: str) -> dict[str, Any]:
        """Approve the one pending call to tool ``name``."""
        return self.resume({self.pending(name).id: {"type": "approve"}})

    def approve_all(self, limit: int = 10) -> dict[str, Any]:
        """Approve every pending call until the run ends."""
        out = self.values
        for _ in range(limit):
            pending = self.interrupts
            if not pending:
                return out
            out = self.resume({i.id: {"type": "approve"} for i in pending})
        raise AssertionError("the run kept asking for approvals")

    def world_rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        world = World(self.settings.home, database=world_database(self.settings.database))
        return world_rows(world, sql, *params)

    def refunds(self, order_id: int) -> list[tuple[Any, ...]]:
        """(amount_cents, currency) of every refund on ``order_id``."""
        return self.world_rows(
            "SELECT amount_cents, currency FROM refunds WHERE order_id = ? ORDER BY created_at, id",
            order_id,
        )

    def outbox(self) -> list[str]:
        """The raw text of every email sent."""
        folder = self.settings.home / "outbox"
        return [p.read_text() for p in sorted(folder.glob("*.eml"))]

    def effects(self) -> list[dict[str, Any]]:
        return EffectLedger(self.settings.db_path, database=self.settings.database).effects_for(
            self.thread
        )

    def trace(self, kind: str | None = None) -> list[dict[str, Any]]:
        events = TraceLog(self.settings.db_path, database=self.settings.database).events(
            self.thread
        )
        return [e for e in events if kind is None or e["kind"] == kind]

    def close(self) -> None:
        for saver in self.savers:
            saver.close()
