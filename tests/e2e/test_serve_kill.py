"""A ``baton serve`` killed with SIGKILL mid-run, started again: the runs finish, once.

The process is killed at named crash points (``BATON_CRASH_AT``): inside the first run
(after the analyst's model call) and inside the resume run that carries out the approved
refund (after the payments backend, before the effect ledger records it). Each time a new
process starts on the same home and port, finds the unfinished run in its run store and
carries it on from its checkpoint; the resume run is carried on with the decision it was
given, without the client sending it again. A client that was streaming reconnects by
itself (``Location`` + ``Last-Event-ID``) and sees the run to its end.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langgraph_sdk import get_client
from serve_process import KEYS, Server

pytestmark = pytest.mark.e2e

DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."


async def _restart_when_dead(server: Server, **env: str) -> None:
    """Start the server again as soon as its process has died."""
    assert server.process is not None
    while server.process.poll() is None:
        await asyncio.sleep(0.05)
    server.spawn(**env)


async def test_killed_server_resumes_its_runs_with_one_refund_and_one_email(
    tmp_path: Any,
) -> None:
    server = Server(tmp_path / "home").start(BATON_CRASH_AT="worker:analyst:after_model")
    try:
        client = get_client(url=server.url, api_key=KEYS["acme"])
        tid = (await client.threads.create())["thread_id"]

        # 1. The server dies inside the first run while the client streams it.
        restart = asyncio.create_task(
            _restart_when_dead(server, BATON_CRASH_AT="effect:issue_refund:after_backend")
        )
        parts = [
            p
            async for p in client.runs.stream(
                tid, "baton", input={"request": DOUBLE_5531}, stream_mode="updates"
            )
        ]
        await restart
        assert server.starts == 2
        ids = [int(p.id) for p in parts]
        assert ids == sorted(set(ids)), "every event once, in order, across the restart"
        events = [p.event for p in parts]
        assert events.count("metadata") == 2  # attempt 1, then attempt 2 after the restart
        assert events[-1] == "end"
        (run,) = await client.runs.list(tid)
        assert (run["status"], run["attempt"]) == ("success", 2)
        state = await client.threads.get_state(tid)
        (refund,) = state["interrupts"]
        assert refund["value"]["name"] == "issue_refund"

        # 2. The resume run carries out the refund; the server dies right after the payment.
        resume = await client.runs.create(
            tid, "baton", command={"resume": {refund["id"]: {"type": "approve"}}}
        )
        assert server.wait_dead() != 0
        assert server.refunds(5531) == [12900]

        # 3. Started again, it carries the resume run on with the decision it was given.
        server.start()
        result = await client.runs.join(tid, resume["run_id"])
        (email,) = result["__interrupt__"]
        assert email["value"]["name"] == "send_email"
        carried = await client.runs.get(tid, resume["run_id"])
        assert (carried["status"], carried["attempt"]) == ("success", 2)
        assert server.refunds(5531) == [12900]

        final = await client.runs.wait(
            tid, "baton", command={"resume": {email["id"]: {"type": "approve"}}}
        )
        assert final["status"] == "done"
        assert server.refunds(5531) == [12900]
        assert len(server.emails()) == 1
    finally:
        server.stop()
