"""One thread that owns a ``BatonSaver``'s connection and serves async callers in rounds.

Why a thread of Baton's own rather than aiosqlite: aiosqlite hands every statement, fetch
and commit to its thread and back, and each hand-off needs the GIL. A thread that gives the
GIL back (SQLite releases it around every step) waits up to the interpreter's switch
interval (5 ms) to get it again while the event loop is busy running graphs, so with 200
concurrent threads the per-statement hand-offs, not SQLite, were most of what durable
checkpoints cost. Here a round costs one wake-up and one reply per event loop: the thread
takes everything queued, answers the reads, inserts every queued write in one transaction,
commits once, and settles all the callers' futures with one ``call_soon_threadsafe``.

The writes that come here are the sync callers', the rounds that ``persistence.sqlite.loop_commit``
found locked (this thread waits for the lock; the loop does not), and all of them when
the saver has no connection of the loop's own. Durability is the sync saver's: a write's
future resolves only after the commit that holds its rows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from persistence.sqlite.rows import Waiter

if TYPE_CHECKING:
    from persistence.sqlite.rows import Statement
    from persistence.sqlite.saver import BatonSaver

_T = TypeVar("_T")
_Reply = asyncio.Future[Any] | concurrent.futures.Future[Any]


class SaverClosedError(RuntimeError):
    """A call reached a saver after it was closed."""


@dataclass
class _Job:
    """A read (``work``) or writes (``waiters``), and where its outcome goes.

    A write job's reply resolves to ``None`` once its round is over; each waiter carries
    its own error, if the round failed.
    """

    reply: _Reply
    work: Callable[[], Any] | None = None
    waiters: list[Waiter] | None = None


class SqliteThread:
    """Runs a ``BatonSaver``'s reads and group-committed writes on one dedicated thread."""

    def __init__(self, saver: BatonSaver, *, name: str = "baton-sqlite") -> None:
        self.saver = saver
        self._jobs: list[_Job] = []
        self._wake = threading.Condition()
        self._closing = False
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    async def call(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` (a read or upkeep on ``saver``) on the thread; its result."""
        reply: asyncio.Future[_T] = asyncio.get_running_loop().create_future()
        self._submit(_Job(reply, work=_in_callers_context(work)))
        return await reply

    async def commit(self, statements: list[Statement]) -> None:
        """Insert ``statements`` with this round's other writes; returns once committed."""
        waiter = Waiter(statements)
        await self.commit_waiters([waiter])
        if waiter.error is not None:
            raise waiter.error

    def commit_waiters(self, waiters: list[Waiter]) -> asyncio.Future[None]:
        """Queue ``waiters`` for the next round; the future resolves once it is over."""
        reply: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._submit(_Job(reply, waiters=waiters))
        return reply

    def call_blocking(self, work: Callable[[], _T]) -> _T:
        """``call`` for sync code on any thread (the event loop's included: it cannot deadlock)."""
        if threading.current_thread() is self._thread:
            return work()
        reply: concurrent.futures.Future[_T] = concurrent.futures.Future()
        self._submit(_Job(reply, work=_in_callers_context(work)))
        return reply.result()

    def commit_blocking(self, statements: list[Statement]) -> None:
        """``commit`` for sync code on any thread (this one's included: it commits at once)."""
        waiter = Waiter(statements)
        if threading.current_thread() is self._thread:
            with self.saver.lock:
                self.saver.commit_batch([waiter])
        else:
            reply: concurrent.futures.Future[None] = concurrent.futures.Future()
            self._submit(_Job(reply, waiters=[waiter]))
            reply.result()
        if waiter.error is not None:
            raise waiter.error

    def close(self) -> None:
        """Serve everything already queued, then stop the thread. Later calls are refused."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _submit(self, job: _Job) -> None:
        with self._wake:
            if self._closing:
                raise SaverClosedError("the checkpoint saver is closed")
            self._jobs.append(job)
            self._wake.notify()

    def _serve(self) -> None:
        while True:
            with self._wake:
                while not self._jobs and not self._closing:
                    self._wake.wait()
                if not self._jobs:
                    return
                jobs, self._jobs = self._jobs, []
            self._round(jobs)

    def _round(self, jobs: list[_Job]) -> None:
        """Reads first (each on its own), then every write in one transaction."""
        outcomes: list[tuple[_Reply, Any, BaseException | None]] = []
        for job in jobs:
            if job.work is not None:
                try:
                    outcomes.append((job.reply, job.work(), None))
                except BaseException as exc:
                    outcomes.append((job.reply, None, exc))
        writes = [job for job in jobs if job.waiters is not None]
        if writes:
            with self.saver.lock:
                self.saver.commit_batch([waiter for job in writes for waiter in job.waiters or []])
            outcomes.extend((job.reply, None, None) for job in writes)
        _settle(outcomes)


def _in_callers_context(work: Callable[[], _T]) -> Callable[[], _T]:
    """``work`` run with the caller's context variables (its lease's fence among them)."""
    return partial(contextvars.copy_context().run, work)


def _settle(outcomes: list[tuple[_Reply, Any, BaseException | None]]) -> None:
    """Resolve sync replies here and async ones with one callback per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Reply, Any, BaseException | None]]] = {}
    for outcome in outcomes:
        reply = outcome[0]
        if isinstance(reply, asyncio.Future):
            by_loop.setdefault(reply.get_loop(), []).append(outcome)
        else:
            _resolve([outcome])
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, items)
        except RuntimeError:  # that loop has closed: nobody is left waiting on it
            continue


def _resolve(outcomes: list[tuple[_Reply, Any, BaseException | None]]) -> None:
    for reply, result, error in outcomes:
        if reply.done():  # the caller gave up (cancelled); the work is done regardless
            continue
        if error is not None:
            reply.set_exception(error)
        else:
            reply.set_result(result)
