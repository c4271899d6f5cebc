"""The run store: one record per run the service accepted, kept across restarts.

A run is one invocation of an assistant on a thread. Its record holds what the run was
asked to do (``kwargs``: the input or command, stream modes, config), so a service that was
killed can carry its in-flight and queued runs on from their checkpoints when it starts
again, and what came of it (``status``, ``result``, ``error``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from persistence.leases import Fence

RunStatus = Literal["pending", "running", "success", "error", "interrupted"]
"""pending (accepted, waiting for its turn), running, then one of: success (the graph ran to
its end or to an approval it waits for), error (the graph raised, or the turn failed),
interrupted (cancelled by a client)."""

UNFINISHED: tuple[RunStatus, ...] = ("pending", "running")

MultitaskStrategy = Literal["reject", "enqueue", "interrupt", "rollback"]


@dataclass(frozen=True)
class RunRecord:
    """One run, as stored."""

    run_id: str
    thread_id: str
    tenant: str
    assistant_id: str
    graph_id: str
    status: RunStatus
    multitask_strategy: MultitaskStrategy
    created_at: float
    updated_at: float
    metadata: dict[str, Any] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)
    """input, command, stream_mode, stream_subgraphs, config, on_completion, temporary."""
    attempt: int = 1
    """How many times the run was started (a restart after a crash starts it again)."""
    result: dict[str, Any] | None = None
    """What ``join`` and ``wait`` return once the run is over."""
    error: str | None = None
    """Why the run failed or was cancelled."""


class RunStore(Protocol):
    """Where run records live."""

    def insert(self, run: RunRecord, *, fence: Fence | None = None) -> None:
        """Store a new run (``fence``: only if it still holds the thread, as ``update``)."""

    def get(self, run_id: str) -> RunRecord | None:
        """The run, or None."""

    def list_for_thread(
        self, thread_id: str, *, limit: int, offset: int, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """The thread's runs, newest first."""

    def update(
        self,
        run_id: str,
        *,
        status: RunStatus | None = None,
        attempt: int | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        kwargs: dict[str, Any] | None = None,
        fence: Fence | None = None,
    ) -> None:
        """Change what is given (and ``updated_at``); leave the rest.

        With ``fence`` (the lease the run is driven under), the change is made only if the
        fence still holds its thread, checked in the same transaction (else ``FencedOut``
        and nothing written).
        """

    def unfinished(self) -> list[RunRecord]:
        """Every pending or running run, oldest first (what a restart carries on)."""

    def delete(self, run_ids: Sequence[str], *, fence: Fence | None = None) -> None:
        """Remove these runs' records (``fence``: only if it still holds the thread)."""

    def delete_for_thread(self, thread_id: str, *, fence: Fence | None = None) -> list[str]:
        """Remove every run of the thread; the ids removed (``fence``: if it holds)."""
