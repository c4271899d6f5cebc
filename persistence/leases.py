"""Thread leases with fencing tokens: one holder drives a thread, and only its writes land.

A lease row per thread names its holder (a unique id, host and pid), when it expires and a
``token``. Every claim raises the token by one (a released row keeps its token, so tokens
only grow), and a holder writes with the token its claim returned (a ``Fence``). A write
that must not land after a takeover checks the fence in its own transaction
(``check_fence`` on each engine): if the row's token or holder differs, another holder
claimed the thread since, and the write is refused with ``FencedOut``. On PostgreSQL the
check locks the lease row (``FOR SHARE``), so a takeover waits for that transaction to
commit; on SQLite every write transaction already holds the database's write lock.

On PostgreSQL a lease may also name the serving process (``replica``) that holds it: such
a lease is live only while that replica's heartbeat row (``baton_replicas``, beaten every
quarter of ``replica_timeout_s`` by ``baton serve``) is younger than ``replica_timeout_s``
by the database's clock, so a replica that died or stalled on any machine frees its
threads within seconds, however long its leases' expiry. On SQLite every holder is on one
machine and a dead pid frees its leases at once, so there is no heartbeat.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from persistence.migrations import Migration


class LeaseHeld(Exception):
    """Another live holder has the lease (its host and pid say who)."""

    def __init__(self, thread_id: str, host: str, pid: int) -> None:
        super().__init__(f"thread {thread_id} is held by process {pid} on {host}")
        self.thread_id, self.host, self.pid = thread_id, host, pid


class FencedOut(RuntimeError):
    """A write by a holder whose lease another holder has since claimed; nothing written."""


@dataclass(frozen=True)
class Fence:
    """What a holder writes with: the thread, its holder id and the token of its claim."""

    thread_id: str
    holder: str
    token: int
    engine: str = "sqlite"
    """Where the lease lives: a write is fenced when it goes to that same database."""


current_fence: ContextVar[Fence | None] = ContextVar("baton_fence", default=None)
"""The fence of the run this task executes (set by whoever drives the run)."""


def fence_on(thread_id: str, engine: str) -> Fence | None:
    """The caller's fence if it holds ``thread_id`` in a lease on ``engine``, else None.

    Checkpoint upkeep (deleting a thread, undoing a run) checks it in its own transaction,
    so a holder whose lease was taken over cannot remove what the new holder relies on.
    """
    fence = current_fence.get()
    if fence is None or fence.thread_id != thread_id or fence.engine != engine:
        return None
    return fence


Alive = Callable[[str, int], bool]
"""Whether the process ``pid`` on ``host`` may still be running."""

REPLICA_TIMEOUT_S = 2.0
"""How old a replica's last heartbeat may be before its leases count as free."""


class LeaseStore(Protocol):
    """Where lease rows live."""

    def claim(
        self,
        thread_id: str,
        holder: str,
        host: str,
        pid: int,
        ttl_s: float,
        alive: Alive,
        replica: str | None = None,
        replica_timeout_s: float = REPLICA_TIMEOUT_S,
    ) -> Fence:
        """Take the lease (the token raised) or raise ``LeaseHeld``; nothing written then.

        ``replica`` names the heartbeat that keeps the new lease live (PostgreSQL); a held
        lease whose replica beat longer than ``replica_timeout_s`` ago is free.
        """

    def renew(self, fence: Fence, ttl_s: float) -> bool:
        """Push the expiry out; False if the lease is no longer this holder's."""

    def release(self, fence: Fence) -> None:
        """Give the lease up if still held with this fence (its token stays)."""

    def token(self, thread_id: str) -> int:
        """The thread's current token (0 if never claimed)."""

    def held(
        self, thread_id: str, alive: Alive, replica_timeout_s: float = REPLICA_TIMEOUT_S
    ) -> bool:
        """Whether a live holder has the lease now (a look that claims nothing)."""


COLUMNS = "thread_id, holder, host, pid, expires_at, token"

MIGRATION_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS thread_leases (thread_id TEXT PRIMARY KEY, holder TEXT NOT NULL, "
    "host TEXT NOT NULL, pid INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
    "token BIGINT NOT NULL DEFAULT 0)",
)


class ReplicaBeats(Protocol):
    """A serving process's heartbeat row: beaten while it serves, removed when it stops."""

    replica: str
    """The id its leases name."""

    def beat(self) -> None:
        """Say the replica is alive now (one statement)."""

    def forget(self) -> None:
        """Remove the replica's row (it stopped; its leases were released)."""

    def close(self) -> None:
        """Close the connection."""


def migrations(add_token: Callable[[object], None] | None = None) -> tuple[Migration, ...]:
    """The lease store's schema (``add_token`` brings an older table up to date)."""
    return (Migration(1, "thread leases with fencing tokens", MIGRATION_STATEMENTS, add_token),)
