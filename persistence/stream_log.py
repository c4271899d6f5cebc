"""The stream event log: every event a run streamed, in order, so a client can catch up.

A client that lost its connection reconnects with ``Last-Event-ID`` and is sent the events
after that id from here, then the live ones; a finished run's stream is replayed from here
too. Sequence numbers are per run and start at 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from persistence.leases import Fence


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of a run: its sequence number, name and JSON data."""

    run_id: str
    seq: int
    event: str
    data: bytes


class StreamLog(Protocol):
    """Where stream events live."""

    def append(
        self, events: Sequence[StreamEvent], fences: Mapping[str, Fence] | None = None
    ) -> set[str]:
        """Store events (any runs), all or none; the runs whose fence was taken over.

        ``fences`` maps a run id to the lease its events are written under: a run whose
        lease another holder has claimed since gets none of its events stored, and its id
        is returned (checked in the transaction that stores the others).
        """

    def read(self, run_id: str, after: int, upto: int | None = None) -> list[StreamEvent]:
        """The run's events with ``after < seq <= upto``, in order."""

    def last_seq(self, run_id: str) -> int:
        """The run's highest stored sequence number (0 if none)."""

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Remove these runs' events."""
