"""Three ``baton serve`` replicas over one PostgreSQL database: any replica serves any thread.

Each replica has its own BATON_HOME, so nothing is shared through files: the world the
flows act on is in PostgreSQL, and effects are counted there.

A flow started on A is streamed live from C and approved on B; the same approval posted to
two replicas at once is carried out once (the other gets 409); a replica killed mid-run
(its pid left unreaped, as a replica on another machine would look) has its run carried on
by another within 5 s, and the run it had queued started after it; a replica stalled past
its heartbeat timeout is woken up and its late writes (checkpoints, run record, thread
index, stream events) are refused; fifty flows spread over three replicas all finish once;
connections the server ends mid-run lose nothing. Effects are counted in the shared world:
one refund and one email per flow, whatever happened to the replicas.

The first test is in ``make test``; the others, slower, run with ``make test-replicas``
(``BATON_TEST_REPLICAS=1``).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client
from postgres_db import create_database, drop_database
from replicas import REPLICA_TIMEOUT_S, Replicas, status_of, wait_dead, wait_stopped, wake
from serve_process import KEYS, Server

from bench.serve_flows import refunded, sdk_flow, seed_home

pytestmark = pytest.mark.e2e

FULL = pytest.mark.skipif(
    os.environ.get("BATON_TEST_REPLICAS") != "1", reason="make test-replicas runs it"
)
DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
DOUBLE_5602 = "Customer 1077 was charged twice for order 5602; refund the duplicate and email them."


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    """A fresh database (a home per replica); every replica started is stopped at the end."""
    url = create_database()
    made = Replicas(tmp_path, url)
    try:
        yield made
    finally:
        for server in made.started:
            server.stop()
        drop_database(url)


def _client(server: Server) -> Any:
    return get_client(url=server.url, api_key=KEYS["acme"])


def _approve(interrupt: dict[str, Any]) -> dict[str, Any]:
    return {"resume": {interrupt["id"]: {"type": "approve"}}}


async def _waiting(client: Any, tid: str) -> dict[str, Any]:
    (waiting,) = (await client.threads.get_state(tid))["interrupts"]
    return dict(waiting)


async def _finish(client: Any, tid: str, result: dict[str, Any]) -> None:
    """Approve the email the flow asks for, and check it is done."""
    (email,) = result["__interrupt__"]
    assert email["value"]["name"] == "send_email"
    final = await client.runs.wait(tid, "baton", command=_approve(email))
    assert final["status"] == "done"


async def test_a_flow_started_on_a_streamed_from_c_and_approved_on_b(replicas: Replicas) -> None:
    a, b, c = replicas.start("a", "b", "c")
    tid = (await _client(a).threads.create())["thread_id"]
    run = await _client(a).runs.create(
        tid, "baton", input={"request": DOUBLE_5531}, stream_mode="updates"
    )
    parts = [p async for p in _client(c).runs.join_stream(tid, run["run_id"])]
    ids = [int(p.id) for p in parts]
    assert ids == list(range(1, len(ids) + 1))  # every event once, in order, live from C
    assert parts[0].event == "metadata" and parts[-1].event == "end"
    assert any(p.event == "updates" for p in parts)
    refund = await _waiting(_client(b), tid)
    assert refund["value"]["name"] == "issue_refund"
    result = await _client(b).runs.wait(tid, "baton", command=_approve(refund))
    await _finish(_client(c), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1
    homes = [server.home for server in (a, b, c)]
    assert len(set(homes)) == 3 and not any((home / "world.db").exists() for home in homes)
    runs = await _client(c).runs.list(tid)
    assert sorted(r["status"] for r in runs) == ["success"] * 3


@FULL
async def test_one_approval_posted_to_two_replicas_is_carried_out_once(
    replicas: Replicas,
) -> None:
    a, b = replicas.start("a", "b")
    tid = (await _client(a).threads.create())["thread_id"]
    await _client(a).runs.wait(tid, "baton", input={"request": DOUBLE_5602})
    refund = await _waiting(_client(a), tid)
    first, second = await asyncio.gather(
        _client(a).runs.wait(tid, "baton", command=_approve(refund)),
        _client(b).runs.wait(tid, "baton", command=_approve(refund)),
        return_exceptions=True,
    )
    outcomes = [first, second]
    refused = [o for o in outcomes if isinstance(o, httpx.HTTPStatusError)]
    done = [o for o in outcomes if isinstance(o, dict)]
    assert len(done) == 1 and [status_of(r) for r in refused] == [409], outcomes
    await _finish(_client(b), tid, done[0])
    assert replicas.refunds(5602) == [4900] and len(replicas.emails()) == 1


@FULL
@pytest.mark.parametrize(
    "point",
    [
        "worker:analyst:after_model",  # mid-worker
        "effect:issue_refund:before_backend",  # between the approval and the effect
        "effect:issue_refund:after_backend",  # the payment made, the ledger not told yet
        "effect:issue_refund:after_ledger",  # after the effect is recorded
    ],
)
async def test_a_killed_replica_s_run_is_finished_by_another_within_5_s(
    replicas: Replicas, point: str
) -> None:
    (a,) = replicas.start("a")
    doomed = replicas.replica("doomed", BATON_CRASH_AT=point).start()
    replicas.started.append(doomed)
    tid = (await _client(doomed).threads.create())["thread_id"]
    if "effect" in point:  # the first run, to the refund's approval, runs on A
        await _client(a).runs.wait(tid, "baton", input={"request": DOUBLE_5531})
        command = {"command": _approve(await _waiting(_client(a), tid))}
    else:
        command = {"input": {"request": DOUBLE_5531}}
    run = await _client(doomed).runs.create(tid, "baton", **command)
    died = await wait_dead(doomed)
    result = await _client(a).runs.join(tid, run["run_id"])
    recovered_s = time.monotonic() - died
    print(f"replicas: {point}: killed replica's run finished by another in {recovered_s:.2f} s")
    record = await _client(a).runs.get(tid, run["run_id"])
    assert (record["status"], record["attempt"]) == ("success", 2)
    assert recovered_s < 5.0, f"carried on and finished {recovered_s:.1f} s after the kill"
    if "effect" in point:
        await _finish(_client(a), tid, result)
        assert len(replicas.emails()) == 1
    else:
        assert (await _waiting(_client(a), tid))["value"]["name"] == "issue_refund"
    assert replicas.refunds(5531) == ([12900] if "effect" in point else [])


@FULL
async def test_a_replica_stalled_past_its_lease_writes_nothing_when_it_wakes(
    replicas: Replicas,
) -> None:
    (a,) = replicas.start("a")
    stalled = replicas.replica("stalled", BATON_PAUSE_AT="worker:analyst:after_model").start()
    replicas.started.append(stalled)
    tid = (await _client(stalled).threads.create())["thread_id"]
    run = await _client(stalled).runs.create(tid, "baton", input={"request": DOUBLE_5531})
    await wait_stopped(stalled)
    stopped = time.monotonic()
    await _client(a).runs.join(tid, run["run_id"])  # A takes the thread once its beat is stale
    assert time.monotonic() - stopped >= REPLICA_TIMEOUT_S * 0.9
    before = await _client(a).threads.get_history(tid, limit=100)
    events = [p async for p in _client(a).runs.join_stream(tid, run["run_id"])]
    wake(stalled)
    await asyncio.sleep(3)  # the woken replica finishes its node and tries to write
    after = await _client(a).threads.get_history(tid, limit=100)
    assert [s["checkpoint"]["checkpoint_id"] for s in after] == [
        s["checkpoint"]["checkpoint_id"] for s in before
    ]  # nothing written by the stalled replica: the history does not fork
    again = [p async for p in _client(a).runs.join_stream(tid, run["run_id"])]
    assert [(p.id, p.event) for p in again] == [(p.id, p.event) for p in events]
    record = await _client(a).runs.get(tid, run["run_id"])
    assert (record["status"], record["attempt"]) == ("success", 2)
    assert (await _client(a).threads.get(tid))["status"] == "interrupted"
    assert "lease of thread" in stalled.log_tail() or "taken over" in stalled.log_tail()
    refund = await _waiting(_client(stalled), tid)  # the woken replica serves the thread too
    result = await _client(stalled).runs.wait(tid, "baton", command=_approve(refund))
    await _finish(_client(a), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1


@FULL
async def test_fifty_flows_over_three_replicas_all_finish_once(replicas: Replicas) -> None:
    import psycopg

    orders = seed_home(replicas.root / "seed", 50, replicas.database_url)
    servers = replicas.start("a", "b", "c")
    clients = [_client(server) for server in servers]
    flows = await asyncio.gather(
        *(sdk_flow(clients[i % 3], order) for i, order in enumerate(orders))
    )
    assert [flow.status for flow in flows] == ["done"] * 50
    assert refunded(replicas.root / "seed", orders, replicas.database_url) == 50  # none twice
    assert len(set(replicas.emails())) == len(replicas.emails()) == 50
    for server in servers:
        server.stop()
        assert "Traceback" not in server.log_tail(200_000), server.log_name
        assert " 500 " not in server.log_tail(200_000)
    with psycopg.connect(replicas.database_url) as conn:  # no live replica's run taken over
        (restarted,) = conn.execute("SELECT count(*) FROM service_runs WHERE attempt <> 1")
        assert restarted == (0,)


@FULL
async def test_connections_ended_by_the_server_mid_run_lose_nothing(replicas: Replicas) -> None:
    import psycopg

    a, b = replicas.start("a", "b")
    tid = (await _client(a).threads.create())["thread_id"]
    run = await _client(a).runs.create(tid, "baton", input={"request": DOUBLE_5531})
    ended = 0
    with psycopg.connect(replicas.database_url, autocommit=True) as admin:
        for _ in range(5):
            await asyncio.sleep(0.3)
            ended += len(
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND application_name LIKE 'baton%' "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
            )
    assert ended > 0
    await _client(b).runs.join(tid, run["run_id"])
    record = await _client(b).runs.get(tid, run["run_id"])
    assert record["status"] == "success", record["error"]
    refund = await _waiting(_client(b), tid)
    result = await _client(b).runs.wait(tid, "baton", command=_approve(refund))
    await _finish(_client(a), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1


@FULL
async def test_a_killed_replica_s_queued_run_is_started_by_the_one_that_claims_the_thread(
    replicas: Replicas,
) -> None:
    (a,) = replicas.start("a")
    doomed = replicas.replica("doomed", BATON_CRASH_AT="worker:analyst:after_model").start()
    replicas.started.append(doomed)
    tid = (await _client(doomed).threads.create())["thread_id"]
    first = await _client(doomed).runs.create(tid, "baton", input={"request": DOUBLE_5531})
    queued = await _client(doomed).runs.create(
        tid, "baton", input={"request": DOUBLE_5602}, multitask_strategy="enqueue"
    )
    assert queued["status"] == "pending"
    died = await wait_dead(doomed)
    await _client(a).runs.join(tid, first["run_id"])
    await _client(a).runs.join(tid, queued["run_id"])
    took_s = time.monotonic() - died
    ran = await _client(a).runs.get(tid, first["run_id"])
    assert (ran["status"], ran["attempt"]) == ("success", 2)
    # its turn came on A: checked against the thread, which waits for the first run's refund
    later = await _client(a).runs.get(tid, queued["run_id"])
    assert later["status"] == "error" and "waiting for approval" in later["error"]
    assert took_s < 5.0, f"both runs ended {took_s:.1f} s after the kill"
    assert (await _waiting(_client(a), tid))["value"]["name"] == "issue_refund"
    assert replicas.refunds(5531) == [] and replicas.refunds(5602) == []
