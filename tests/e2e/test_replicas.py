"""Three ``baton serve`` replicas over one PostgreSQL database: any replica serves any thread.

Each replica has its own BATON_HOME, so nothing is shared through files: the world the
flows act on is in PostgreSQL, and effects are counted there.

A flow started on A is streamed live from C and approved on B; the same approval posted to
two replicas at once is carried out once (the other gets 409); fifty flows spread over
three replicas all finish once; connections the server ends mid-run lose nothing. Effects
are counted in the shared world: one refund and one email per flow. Replicas that die or
stall mid-run: ``test_replica_failover.py``.

The first test is in ``make test``; the others, slower, run with ``make test-replicas``
(``BATON_TEST_REPLICAS=1``).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from replicas import (
    DOUBLE_5531,
    DOUBLE_5602,
    FULL,
    Replicas,
    approval,
    client_of,
    finish_flow,
    status_of,
    waiting_interrupt,
)

from bench.serve_flows import refunded, sdk_flow, seed_home

pytestmark = pytest.mark.e2e


async def test_a_flow_started_on_a_streamed_from_c_and_approved_on_b(replicas: Replicas) -> None:
    a, b, c = replicas.start("a", "b", "c")
    tid = (await client_of(a).threads.create())["thread_id"]
    run = await client_of(a).runs.create(
        tid, "baton", input={"request": DOUBLE_5531}, stream_mode="updates"
    )
    parts = [p async for p in client_of(c).runs.join_stream(tid, run["run_id"])]
    ids = [int(p.id) for p in parts]
    assert ids == list(range(1, len(ids) + 1))  # every event once, in order, live from C
    assert parts[0].event == "metadata" and parts[-1].event == "end"
    assert any(p.event == "updates" for p in parts)
    refund = await waiting_interrupt(client_of(b), tid)
    assert refund["value"]["name"] == "issue_refund"
    result = await client_of(b).runs.wait(tid, "baton", command=approval(refund))
    await finish_flow(client_of(c), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1
    homes = [server.home for server in (a, b, c)]
    assert len(set(homes)) == 3 and not any((home / "world.db").exists() for home in homes)
    runs = await client_of(c).runs.list(tid)
    assert sorted(r["status"] for r in runs) == ["success"] * 3


@FULL
async def test_one_approval_posted_to_two_replicas_is_carried_out_once(
    replicas: Replicas,
) -> None:
    a, b = replicas.start("a", "b")
    tid = (await client_of(a).threads.create())["thread_id"]
    await client_of(a).runs.wait(tid, "baton", input={"request": DOUBLE_5602})
    refund = await waiting_interrupt(client_of(a), tid)
    first, second = await asyncio.gather(
        client_of(a).runs.wait(tid, "baton", command=approval(refund)),
        client_of(b).runs.wait(tid, "baton", command=approval(refund)),
        return_exceptions=True,
    )
    outcomes = [first, second]
    refused = [o for o in outcomes if isinstance(o, httpx.HTTPStatusError)]
    done = [o for o in outcomes if isinstance(o, dict)]
    assert len(done) == 1 and [status_of(r) for r in refused] == [409], outcomes
    await finish_flow(client_of(b), tid, done[0])
    assert replicas.refunds(5602) == [4900] and len(replicas.emails()) == 1


@FULL
async def test_fifty_flows_over_three_replicas_all_finish_once(replicas: Replicas) -> None:
    import psycopg

    orders = seed_home(replicas.root / "seed", 50, replicas.database_url)
    servers = replicas.start("a", "b", "c")
    clients = [client_of(server) for server in servers]
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
    tid = (await client_of(a).threads.create())["thread_id"]
    run = await client_of(a).runs.create(tid, "baton", input={"request": DOUBLE_5531})
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
    await client_of(b).runs.join(tid, run["run_id"])
    record = await client_of(b).runs.get(tid, run["run_id"])
    assert record["status"] == "success", record["error"]
    refund = await waiting_interrupt(client_of(b), tid)
    result = await client_of(b).runs.wait(tid, "baton", command=approval(refund))
    await finish_flow(client_of(a), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1
