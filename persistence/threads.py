"""The thread index of the service: who owns each thread, its metadata and its status.

Checkpoints say what a thread holds; this says whose it is (the tenant whose API key
created it; another tenant is told it does not exist), the metadata clients search by,
and the status the service last saw (idle, busy, interrupted, error).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from persistence.leases import Fence

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
"""idle (no run, nothing waiting), busy (a run pending or running), interrupted (waiting for
an approval), error (the last run failed)."""

SortBy = Literal["thread_id", "status", "created_at", "updated_at"]


@dataclass(frozen=True)
class ThreadRecord:
    """One thread, as indexed."""

    thread_id: str
    tenant: str
    created_at: float
    updated_at: float
    status: ThreadStatus = "idle"
    metadata: dict[str, Any] = field(default_factory=dict)
    graph_id: str | None = None
    """The graph whose state the thread holds, fixed by its first run."""
    error: str | None = None
    """Why the last run failed, while the status is error."""


@dataclass(frozen=True)
class ThreadQuery:
    """What ``search`` filters and orders by."""

    tenant: str
    metadata: dict[str, Any] = field(default_factory=dict)
    """Every key must be present with an equal value (nested dicts: the same, recursively)."""
    status: ThreadStatus | None = None
    ids: tuple[str, ...] = ()
    limit: int = 10
    offset: int = 0
    sort_by: SortBy = "created_at"
    descending: bool = True


class ThreadStore(Protocol):
    """Where the thread index lives."""

    def insert(self, thread: ThreadRecord, *, fence: Fence | None = None) -> bool:
        """Store a new thread; False (and nothing written) if the id is taken.

        With ``fence``, only if it still holds the thread (else ``FencedOut``, as ``update``).
        """

    def get(self, thread_id: str) -> ThreadRecord | None:
        """The thread, or None."""

    def search(self, query: ThreadQuery) -> list[ThreadRecord]:
        """The tenant's threads that match, in order, one page."""

    def update(
        self,
        thread_id: str,
        *,
        status: ThreadStatus | None = None,
        metadata: dict[str, Any] | None = None,
        graph_id: str | None = None,
        error: str | None = None,
        fence: Fence | None = None,
    ) -> None:
        """Set the status (and error), merge ``metadata`` into the stored one, fix the graph.

        With ``fence``, only if it still holds the thread, checked in the same transaction
        (else ``FencedOut`` and nothing written).
        """

    def delete(self, thread_id: str, *, fence: Fence | None = None) -> None:
        """Remove the thread from the index (``fence``: only if it still holds the thread)."""


def metadata_matches(stored: Any, wanted: Any) -> bool:
    """Whether ``wanted`` is contained in ``stored`` (JSONB ``@>`` semantics for objects)."""
    if isinstance(wanted, dict):
        return isinstance(stored, dict) and all(
            key in stored and metadata_matches(stored[key], value) for key, value in wanted.items()
        )
    return bool(stored == wanted)


SCAN_PAGE = 500
"""Rows read per query while a metadata filter looks for a page of matches."""


def matching_page(
    read: Callable[[int, int], Sequence[Any]],
    query: ThreadQuery,
    metadata_of: Callable[[Any], Any],
    record: Callable[[Any], ThreadRecord],
) -> list[ThreadRecord]:
    """One page of the rows whose metadata contains ``query.metadata``, in the rows' order.

    ``read(limit, offset)`` reads the engine's ordered rows; the filter is applied here, the
    same on both engines, skipping ``query.offset`` matches and keeping ``query.limit``.
    """
    found: list[ThreadRecord] = []
    skipped, scanned = 0, 0
    while len(found) < query.limit:
        rows = read(SCAN_PAGE, scanned)
        scanned += len(rows)
        for row in rows:
            if not metadata_matches(metadata_of(row), query.metadata):
                continue
            if skipped < query.offset:
                skipped += 1
                continue
            found.append(record(row))
            if len(found) == query.limit:
                break
        if len(rows) < SCAN_PAGE:
            break
    return found
