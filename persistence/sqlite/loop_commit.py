"""Group commit on the event loop's own thread: one transaction per loop iteration.

Why on the loop. A checkpoint write that crosses to another thread has to get the GIL back
there after SQLite releases it, and while the loop is busy running graphs that wait is the
interpreter's switch interval (5 ms) per hand-off. At 200 concurrent threads those waits,
not SQLite, were most of what durable checkpoints cost (the fraction of no-checkpointer
throughput went from about 0.7 to the in-memory saver's level when the commit moved here).
A round of inserts plus its commit holds the loop for about a millisecond: at 200 threads,
median 1.0-1.1 ms, 99th percentile about 5 ms, longest 5-7 ms across ``make bench`` runs,
including SQLite's automatic WAL checkpoint (``RoundTimes`` below keeps the record).

What never happens on the loop: waiting for a lock. This connection has no busy timeout,
so a round that finds the database locked (another process writing, or upkeep on the
saver's thread) gets ``SQLITE_BUSY`` at once, rolls back, and is handed whole to the
saver's thread, which waits for the lock; rounds after it follow it there until it is
committed, so writes still commit in the order they were queued. A write returns only
after the commit that holds its rows, on either path.
"""

from __future__ import annotations

import asyncio
import sqlite3
import statistics
import time
from collections import deque
from typing import TYPE_CHECKING

from persistence.sqlite.rows import Waiter, commit_waiters, is_busy

if TYPE_CHECKING:
    from persistence.sqlite.rows import Statement
    from persistence.sqlite.thread import SqliteThread

_Queued = tuple[asyncio.Future[None], Waiter]


def percentiles_ms(seconds: list[float]) -> dict[str, float]:
    """Median, 90th and 99th percentile and longest of ``seconds`` (not empty), in ms."""
    ordered = sorted(seconds)

    def at(quantile: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * quantile))] * 1000

    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p90_ms": at(0.9),
        "p99_ms": at(0.99),
        "max_ms": ordered[-1] * 1000,
    }


class RoundTimes:
    """How long the latest commit rounds (up to 10,000) held the event loop."""

    def __init__(self) -> None:
        self.seconds: deque[float] = deque(maxlen=10_000)

    def summary_ms(self) -> dict[str, float]:
        """Count, median, 90th and 99th percentile and longest, in milliseconds."""
        if not self.seconds:
            return {"rounds": 0}
        return {"rounds": len(self.seconds), **percentiles_ms(list(self.seconds))}


class LoopCommitter:
    """Commits the writes queued during one iteration of an event loop in one transaction."""

    def __init__(self, conn: sqlite3.Connection, thread: SqliteThread) -> None:
        conn.execute("PRAGMA busy_timeout=0")
        self.conn = conn
        self._thread = thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: list[_Queued] = []
        self._on_thread = 0  # rounds handed to the thread and not yet committed
        self.times = RoundTimes()

    async def commit(self, statements: list[Statement]) -> None:
        """Insert ``statements`` with this iteration's other writes; returns once committed."""
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        if loop is not self._loop:  # the connection belongs to the first loop that wrote
            await self._thread.commit(statements)
            return
        reply: asyncio.Future[None] = loop.create_future()
        self._queue.append((reply, Waiter(statements)))
        if len(self._queue) == 1:
            loop.call_soon(self._round)
        await reply

    def _round(self) -> None:
        batch, self._queue = self._queue, []
        if self._on_thread:
            self._hand_off(batch)
            return
        waiters = [waiter for _, waiter in batch]
        start = time.perf_counter()
        commit_waiters(self.conn, waiters)
        self.times.seconds.append(time.perf_counter() - start)
        if any(is_busy(waiter.error) for waiter in waiters):
            for waiter in waiters:
                waiter.error, waiter.done = None, False
            self._hand_off(batch)
            return
        _settle(batch)

    def _hand_off(self, batch: list[_Queued]) -> None:
        try:
            done = self._thread.commit_waiters([waiter for _, waiter in batch])
        except Exception as exc:  # the saver was closed under us
            for _, waiter in batch:
                waiter.error = exc
            _settle(batch)
            return
        self._on_thread += 1
        done.add_done_callback(lambda _: self._handed_back(batch))

    def _handed_back(self, batch: list[_Queued]) -> None:
        self._on_thread -= 1
        _settle(batch)


def _settle(batch: list[_Queued]) -> None:
    for reply, waiter in batch:
        if reply.done():  # the caller was cancelled; its rows are committed regardless
            continue
        if waiter.error is not None:
            reply.set_exception(waiter.error)
        else:
            reply.set_result(None)
