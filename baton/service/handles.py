"""The in-process side of runs and threads: a run's handle and a thread's slot."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from baton.lease import Lease
    from persistence.leases import Fence
    from persistence.runs import RunRecord

CancelAction = Literal["interrupt", "rollback"]


@dataclass
class RunHandle:
    """A pending or running run: its record, its task, and how it is to be cancelled."""

    run: RunRecord
    done: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    cancel_action: CancelAction | None = None
    cancel_reason: str = ""
    in_graph: bool = False
    resumed: bool = False
    """Carried on after a restart (continue from its checkpoint, not from its input)."""
    queued: bool = False
    """Waited behind another run: checked against the thread again when it starts."""

    def request_cancel(self, action: CancelAction, reason: str) -> None:
        """Stop the run: now if its graph is streaming, before it starts otherwise."""
        if self.cancel_action is None or action == "rollback":
            self.cancel_action, self.cancel_reason = action, reason
        if self.in_graph and self.task is not None:
            self.task.cancel()


@dataclass
class ThreadSlot:
    """One thread in this process: the run it runs, the runs queued behind it, its lease."""

    thread_id: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    active: RunHandle | None = None
    queue: deque[RunHandle] = field(default_factory=deque)
    lease: Lease | None = None

    @property
    def busy(self) -> bool:
        """A run is running or queued."""
        return self.active is not None or bool(self.queue)

    @property
    def fence(self) -> Fence | None:
        """What the thread's writes are fenced with (its lease's token), while held."""
        return self.lease.fence if self.lease is not None else None

    def inflight(self) -> list[RunHandle]:
        """The running run, then the queued ones."""
        return ([self.active] if self.active else []) + list(self.queue)
