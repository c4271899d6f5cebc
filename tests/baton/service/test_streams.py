"""The stream hub: durable before delivered, replayable after a restart, resumable by id."""

from __future__ import annotations

import asyncio
from pathlib import Path

from baton.service.streams import StreamHub
from persistence.sqlite.store_conn import StoreConnection
from persistence.sqlite.stream_log import SqliteStreamLog


async def _collect(hub: StreamHub, run_id: str, after: int = 0) -> list[tuple[int, str]]:
    return [(e.seq, e.event) async for e in hub.subscribe(run_id, after)]


async def test_subscribers_get_every_event_once_in_order(tmp_path: Path) -> None:
    hub = StreamHub(SqliteStreamLog(StoreConnection(tmp_path / "baton.db", synchronous="NORMAL")))
    hub.start()
    await hub.open("r1")
    live = asyncio.create_task(_collect(hub, "r1"))
    for name in ("metadata", "values", "values", "end"):
        hub.publish("r1", name, b"{}")
        await asyncio.sleep(0)
    late = asyncio.create_task(_collect(hub, "r1", after=2))
    await hub.close("r1")
    expected = [(1, "metadata"), (2, "values"), (3, "values"), (4, "end")]
    assert await live == expected
    assert await late == expected[2:]
    assert await _collect(hub, "r1") == expected  # closed: replayed from the log
    await hub.stop()


async def test_a_new_process_continues_the_numbering_and_replays_the_old_part(
    tmp_path: Path,
) -> None:
    path = tmp_path / "baton.db"
    first = StreamHub(SqliteStreamLog(StoreConnection(path, synchronous="NORMAL")))
    first.start()
    await first.open("r1")
    first.publish("r1", "metadata", b'{"attempt":1}')
    first.publish("r1", "updates", b"{}")
    await first.stop()  # the process goes away with the run unfinished

    second = StreamHub(SqliteStreamLog(StoreConnection(path, synchronous="NORMAL")))
    second.start()
    await second.open("r1")
    second.publish("r1", "metadata", b'{"attempt":2}')
    reader = asyncio.create_task(_collect(second, "r1", after=1))
    second.publish("r1", "end", b"{}")
    await second.close("r1")
    assert await reader == [(2, "updates"), (3, "metadata"), (4, "end")]
    await second.forget(["r1"])
    assert await _collect(second, "r1") == []
    await second.stop()


async def test_a_tail_of_a_run_recorded_ended_still_gets_its_end_event(tmp_path: Path) -> None:
    """Another replica records the run's end before its ``end`` event reaches the log."""
    path = tmp_path / "baton.db"
    executing = StreamHub(SqliteStreamLog(StoreConnection(path, synchronous="NORMAL")))
    executing.start()
    await executing.open("r1")
    executing.publish("r1", "metadata", b"{}")
    await asyncio.sleep(0.05)  # durable
    ended = {"r1": False}
    tailing = StreamHub(
        SqliteStreamLog(StoreConnection(path, synchronous="NORMAL")),
        running=lambda run_id: not ended[run_id],
    )
    reader = asyncio.create_task(_collect(tailing, "r1"))
    await asyncio.sleep(0.15)
    ended["r1"] = True  # the run record says it ended; its last events are not written yet
    await asyncio.sleep(0.3)
    executing.publish("r1", "end", b"{}")
    await executing.close("r1")
    assert await reader == [(1, "metadata"), (2, "end")]
    await executing.stop()
