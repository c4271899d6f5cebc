"""Every run's event stream: written to the durable log first, then sent to subscribers.

A run's events are numbered from 1 (a run carried on after a restart continues its
numbering). ``publish`` queues an event and returns at once, so the graph never waits for
the disk; one writer task appends whatever is queued in one transaction and only then
hands those events to the run's subscribers. A client therefore never sees an event the
log could lose, and a client that reconnects with ``Last-Event-ID`` gets exactly the
events after it: from the log for the part before this process took the run over, from
memory after that, then live ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable

from persistence.leases import Fence
from persistence.stream_log import StreamEvent, StreamLog

log = logging.getLogger("baton.service")
_RETRY_S = 0.5
TAIL_POLL_S = 0.1
"""How often a stream of a run that another replica executes reads the log for more."""
END_GRACE_S = 5.0
"""How long a stream of a run recorded as ended waits for the run's ``end`` event."""

Running = Callable[[str], bool]
"""Whether a run is still pending or running (anywhere): its stream may grow."""


class _Channel:
    """One run's events in this process: durable ones in order, and who waits for more."""

    def __init__(self, run_id: str, first_seq: int) -> None:
        self.run_id = run_id
        self.first_seq = first_seq
        self.next_seq = first_seq
        self.durable: list[StreamEvent] = []
        self.closed = False
        self.fence: Fence | None = None
        self._changed = asyncio.Event()

    @property
    def durable_upto(self) -> int:
        return self.first_seq + len(self.durable) - 1

    @property
    def finished(self) -> bool:
        return self.closed and self.durable_upto == self.next_seq - 1

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self) -> None:
        await self._changed.wait()


class StreamHub:
    """Open, publish to, close and subscribe to runs' streams."""

    def __init__(self, stream_log: StreamLog, running: Running | None = None) -> None:
        self._log = stream_log
        self._running = running
        self._channels: dict[str, _Channel] = {}
        self._queued: list[StreamEvent] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task (on the running loop)."""
        self._writer = asyncio.get_running_loop().create_task(self._write_forever())

    async def stop(self) -> None:
        """Write what is queued, then stop the writer."""
        await self._drain()
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)

    async def open(self, run_id: str) -> None:
        """Get ready to publish a run's events (numbered after what the log has)."""
        if run_id not in self._channels:
            last = await asyncio.to_thread(self._log.last_seq, run_id)
            self._channels.setdefault(run_id, _Channel(run_id, last + 1))

    def fence(self, run_id: str, fence: Fence | None) -> None:
        """Write the run's events under ``fence`` (a lease): dropped once it is taken over."""
        channel = self._channels.get(run_id)
        if channel is not None:
            channel.fence = fence

    def is_open(self, run_id: str) -> bool:
        """Whether the run's stream is open in this process."""
        return run_id in self._channels

    def publish(self, run_id: str, event: str, data: bytes) -> int:
        """Queue one event (JSON ``data``); its sequence number."""
        channel = self._channels[run_id]
        seq = channel.next_seq
        channel.next_seq += 1
        self._queued.append(StreamEvent(run_id, seq, event, data))
        self._wake.set()
        return seq

    async def close(self, run_id: str) -> None:
        """No more events: wait until all are durable, then hand the run over to the log."""
        channel = self._channels.get(run_id)
        if channel is None:
            return
        channel.closed = True
        while not channel.finished:
            self._wake.set()
            await channel.changed()
        channel.notify()
        self._channels.pop(run_id, None)

    async def abandon(self, run_id: str) -> None:
        """Stop the run's stream here without writing more (another process took it over)."""
        self._queued = [event for event in self._queued if event.run_id != run_id]
        channel = self._channels.pop(run_id, None)
        if channel is not None:
            channel.closed, channel.next_seq = True, channel.durable_upto + 1
            channel.notify()

    async def forget(self, run_ids: list[str]) -> None:
        """Remove closed runs' events from the log (a rolled-back run)."""
        await asyncio.to_thread(self._log.delete_for_runs, run_ids)

    async def subscribe(self, run_id: str, after: int = 0) -> AsyncIterator[StreamEvent]:
        """The run's events after sequence number ``after``, then live ones until it ends."""
        cursor = after
        channel = self._channels.get(run_id)
        if channel is None and self._running is not None:
            # the run executes in another replica (or ended): tail the log until its end
            async for event in self._tail(run_id, cursor):
                yield event
                cursor = event.seq
            return
        if channel is None or cursor + 1 < channel.first_seq:
            upto = None if channel is None else channel.first_seq - 1
            for event in await asyncio.to_thread(self._log.read, run_id, cursor, upto):
                yield event
                cursor = event.seq
            channel = channel or self._channels.get(run_id)
            if channel is None:
                return
        while True:
            for event in channel.durable[max(0, cursor - channel.first_seq + 1) :]:
                yield event
                cursor = event.seq
            if channel.finished and cursor >= channel.durable_upto:
                return
            await channel.changed()

    async def _tail(self, run_id: str, after: int) -> AsyncIterator[StreamEvent]:
        """The run's logged events after ``after``, read again until its ``end`` event.

        The executing replica records a run's end before its last events are in the log, so
        a run seen ended is read for ``END_GRACE_S`` more for them; a replica that died in
        between leaves no ``end``, and the stream stops there.
        """
        assert self._running is not None
        cursor = after
        ended_at: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            running = await asyncio.to_thread(self._running, run_id)
            for event in await asyncio.to_thread(self._log.read, run_id, cursor):
                yield event
                cursor = event.seq
                if event.event == "end":
                    return
            if not running:
                ended_at = loop.time() if ended_at is None else ended_at
                if loop.time() - ended_at >= END_GRACE_S:
                    return
            await asyncio.sleep(TAIL_POLL_S)

    async def _drain(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            await self._append(batch)

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain()
            for channel in list(self._channels.values()):
                if channel.closed:
                    channel.notify()

    async def _append(self, batch: list[StreamEvent]) -> None:
        fences = {
            run_id: channel.fence
            for run_id in {event.run_id for event in batch}
            if (channel := self._channels.get(run_id)) is not None and channel.fence is not None
        }
        while True:
            try:
                refused = await asyncio.to_thread(self._log.append, batch, fences)
                break
            except Exception:  # a full disk or a lock held too long: keep order, try again
                log.exception("could not write %d stream events; retrying", len(batch))
                await asyncio.sleep(_RETRY_S)
        for run_id in refused:  # another process took the run over: its stream is theirs
            log.warning("run %s: lease taken over; its stream continues elsewhere", run_id)
            await self.abandon(run_id)
        touched: dict[str, _Channel] = {}
        for event in batch:
            if event.run_id in refused:
                continue
            channel = self._channels.get(event.run_id)
            if channel is not None:
                channel.durable.append(event)
                touched[event.run_id] = channel
        for channel in touched.values():
            channel.notify()
