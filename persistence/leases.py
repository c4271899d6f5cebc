"""Thread leases with fencing tokens: one holder drives a thread, and only its writes land.

A lease row per thread names its holder (a unique id, host and pid), when it expires and a
``token``. Every claim raises the token by one (a released row keeps its token, so tokens
only grow), and a holder writes with the token its claim returned (a ``Fence``). A write
that must not land after a takeover checks the fence in its own transaction
(``check_fence`` on each engine): if the row's token or holder differs, another holder
claimed the thread since, and the write is refused with ``FencedOut``. On PostgreSQL the
check locks the lease row (``FOR SHARE``), so a takeover waits for that transaction to
commit; on SQLite every write transaction already holds the database's write lock.
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

Alive = Callable[[str, int], bool]
"""Whether the process ``pid`` on ``host`` may still be running."""


class LeaseStore(Protocol):
    """Where lease rows live."""

    def claim(
        self, thread_id: str, holder: str, host: str, pid: int, ttl_s: float, alive: Alive
    ) -> Fence:
        """Take the lease (the token raised) or raise ``LeaseHeld``; nothing written then."""

    def renew(self, fence: Fence, ttl_s: float) -> bool:
        """Push the expiry out; False if the lease is no longer this holder's."""

    def release(self, fence: Fence) -> None:
        """Give the lease up if still held with this fence (its token stays)."""

    def token(self, thread_id: str) -> int:
        """The thread's current token (0 if never claimed)."""

    def held(self, thread_id: str, alive: Alive) -> bool:
        """Whether a live holder has the lease now (a look that claims nothing)."""


COLUMNS = "thread_id, holder, host, pid, expires_at, token"

MIGRATION_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS thread_leases (thread_id TEXT PRIMARY KEY, holder TEXT NOT NULL, "
    "host TEXT NOT NULL, pid INTEGER NOT NULL, expires_at DOUBLE PRECISION NOT NULL, "
    "token BIGINT NOT NULL DEFAULT 0)",
)


def migrations(add_token: Callable[[object], None] | None = None) -> tuple[Migration, ...]:
    """The lease store's schema (``add_token`` brings an older table up to date)."""
    return (Migration(1, "thread leases with fencing tokens", MIGRATION_STATEMENTS, add_token),)
