"""The inbox's live feed: an event when an approval appears and when it is answered."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from fakes import scripted_tiers

from baton.service.thread_watch import ThreadWatch
from baton.webconsole.inbox_stream import Event, inbox_events
from graphs.settings import Settings
from tests.baton.service.served import served
from tests.baton.webconsole.test_console_together import SCRIPT


async def _until(feed: AsyncIterator[Event], thread_id: str, status: str) -> list[str]:
    """The statuses the feed reports for ``thread_id`` up to ``status``."""
    seen: list[str] = []
    while status not in seen:
        event = await asyncio.wait_for(anext(feed), 30)
        assert event["event"] == "inbox"
        data = json.loads(event["data"])
        if data["reason"] == "change" and data["thread_id"] == thread_id:
            seen.append(data["status"])
    return seen


async def test_feed_tells_when_an_approval_appears_and_is_answered(tmp_path: Path) -> None:
    tiers, _ = scripted_tiers(SCRIPT)
    async with served(Settings(home=tmp_path / "home", _env_file=None), tiers=tiers) as app:
        watch: ThreadWatch = app.app.state.ctx.watch
        acme, globex = inbox_events(watch, "acme", 60), inbox_events(watch, "globex", 60)
        assert await anext(acme) == {"event": "ready", "data": "{}"}
        assert await anext(globex) == {"event": "ready", "data": "{}"}
        assert (watch.listening("acme"), watch.listening("globex")) == (1, 1)

        thread_id = (await app.sdk.threads.create())["thread_id"]
        request = "Refund the duplicate charges on orders 5531 and 5602."
        run = await app.sdk.runs.create(thread_id, "baton", input={"request": request})
        assert await _until(acme, thread_id, "interrupted") == ["busy", "interrupted"]
        await app.sdk.runs.join(thread_id, run["run_id"])
        items = (await app.http.get("/console/api/inbox")).json()["items"]
        assert len(items) == 2  # the event came when the approvals could be read

        body = {"decider": "ann", "decisions": [{"id": i["id"], "type": "approve"} for i in items]}
        reply = await app.http.post(f"/console/api/threads/{thread_id}/decisions", json=body)
        assert reply.status_code == 200, reply.text
        assert await _until(acme, thread_id, "idle") == ["busy", "idle"]
        assert (await app.http.get("/console/api/inbox")).json() == {"items": []}

        try:  # the other tenant was told nothing
            await asyncio.wait_for(anext(globex), 0.5)
            raise AssertionError("globex got an event of acme's thread")
        except TimeoutError:
            pass
        await acme.aclose()
        assert (watch.listening("acme"), watch.listening("globex")) == (0, 0)


async def test_feed_sends_a_safety_event_when_nothing_changes() -> None:
    feed = inbox_events(ThreadWatch(), "acme", safety_s=0.05)
    assert (await anext(feed))["event"] == "ready"
    event = await asyncio.wait_for(anext(feed), 5)
    assert event == {"event": "inbox", "data": json.dumps({"reason": "safety"})}
    await feed.aclose()


async def test_feed_needs_a_key(tmp_path: Path) -> None:
    async with served(Settings(home=tmp_path / "home", _env_file=None)) as app:
        async with app.as_tenant(None) as anonymous:
            reply = await anonymous.get("/console/api/inbox/events")
        assert reply.status_code == 401
        assert reply.json()["detail"]
