"""Replicas that die or stall mid-run, over one PostgreSQL database: another finishes.

A replica killed mid-run (its pid left unreaped, as a replica on another machine would
look) has its run carried on by another within 5 s, and the run it had queued started
after it; a replica stalled past its heartbeat timeout is woken up and its late writes
(checkpoints, run record, thread index, stream events) are refused. Effects are counted in
the shared world: one refund and one email per flow. These run with ``make test-replicas``
(``BATON_TEST_REPLICAS=1``).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from replicas import (
    DOUBLE_5531,
    DOUBLE_5602,
    FULL,
    REPLICA_TIMEOUT_S,
    Replicas,
    approval,
    client_of,
    finish_flow,
    wait_dead,
    wait_stopped,
    waiting_interrupt,
    wake,
)

pytestmark = pytest.mark.e2e


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
    tid = (await client_of(doomed).threads.create())["thread_id"]
    if "effect" in point:  # the first run, to the refund's approval, runs on A
        await client_of(a).runs.wait(tid, "baton", input={"request": DOUBLE_5531})
        command = {"command": approval(await waiting_interrupt(client_of(a), tid))}
    else:
        command = {"input": {"request": DOUBLE_5531}}
    run = await client_of(doomed).runs.create(tid, "baton", **command)
    died = await wait_dead(doomed)
    result = await client_of(a).runs.join(tid, run["run_id"])
    recovered_s = time.monotonic() - died
    print(f"replicas: {point}: killed replica's run finished by another in {recovered_s:.2f} s")
    record = await client_of(a).runs.get(tid, run["run_id"])
    assert (record["status"], record["attempt"]) == ("success", 2)
    assert recovered_s < 5.0, f"carried on and finished {recovered_s:.1f} s after the kill"
    if "effect" in point:
        await finish_flow(client_of(a), tid, result)
        assert len(replicas.emails()) == 1
    else:
        assert (await waiting_interrupt(client_of(a), tid))["value"]["name"] == "issue_refund"
    assert replicas.refunds(5531) == ([12900] if "effect" in point else [])


@FULL
async def test_a_replica_stalled_past_its_lease_writes_nothing_when_it_wakes(
    replicas: Replicas,
) -> None:
    (a,) = replicas.start("a")
    stalled = replicas.replica("stalled", BATON_PAUSE_AT="worker:analyst:after_model").start()
    replicas.started.append(stalled)
    tid = (await client_of(stalled).threads.create())["thread_id"]
    run = await client_of(stalled).runs.create(tid, "baton", input={"request": DOUBLE_5531})
    await wait_stopped(stalled)
    stopped = time.monotonic()
    await client_of(a).runs.join(tid, run["run_id"])  # A takes the thread once its beat is stale
    assert time.monotonic() - stopped >= REPLICA_TIMEOUT_S * 0.9
    before = await client_of(a).threads.get_history(tid, limit=100)
    events = [p async for p in client_of(a).runs.join_stream(tid, run["run_id"])]
    wake(stalled)
    await asyncio.sleep(3)  # the woken replica finishes its node and tries to write
    after = await client_of(a).threads.get_history(tid, limit=100)
    assert [s["checkpoint"]["checkpoint_id"] for s in after] == [
        s["checkpoint"]["checkpoint_id"] for s in before
    ]  # nothing written by the stalled replica: the history does not fork
    again = [p async for p in client_of(a).runs.join_stream(tid, run["run_id"])]
    assert [(p.id, p.event) for p in again] == [(p.id, p.event) for p in events]
    record = await client_of(a).runs.get(tid, run["run_id"])
    assert (record["status"], record["attempt"]) == ("success", 2)
    assert (await client_of(a).threads.get(tid))["status"] == "interrupted"
    assert "lease of thread" in stalled.log_tail() or "taken over" in stalled.log_tail()
    refund = await waiting_interrupt(
        client_of(stalled), tid
    )  # the woken replica serves the thread too
    result = await client_of(stalled).runs.wait(tid, "baton", command=approval(refund))
    await finish_flow(client_of(a), tid, result)
    assert replicas.refunds(5531) == [12900] and len(replicas.emails()) == 1


@FULL
async def test_a_killed_replica_s_queued_run_is_started_by_the_one_that_claims_the_thread(
    replicas: Replicas,
) -> None:
    (a,) = replicas.start("a")
    doomed = replicas.replica("doomed", BATON_CRASH_AT="worker:analyst:after_model").start()
    replicas.started.append(doomed)
    tid = (await client_of(doomed).threads.create())["thread_id"]
    first = await client_of(doomed).runs.create(tid, "baton", input={"request": DOUBLE_5531})
    queued = await client_of(doomed).runs.create(
        tid, "baton", input={"request": DOUBLE_5602}, multitask_strategy="enqueue"
    )
    assert queued["status"] == "pending"
    died = await wait_dead(doomed)
    await client_of(a).runs.join(tid, first["run_id"])
    await client_of(a).runs.join(tid, queued["run_id"])
    took_s = time.monotonic() - died
    ran = await client_of(a).runs.get(tid, first["run_id"])
    assert (ran["status"], ran["attempt"]) == ("success", 2)
    # its turn came on A: checked against the thread, which waits for the first run's refund
    later = await client_of(a).runs.get(tid, queued["run_id"])
    assert later["status"] == "error" and "waiting for approval" in later["error"]
    assert took_s < 5.0, f"both runs ended {took_s:.1f} s after the kill"
    assert (await waiting_interrupt(client_of(a), tid))["value"]["name"] == "issue_refund"
    assert replicas.refunds(5531) == [] and replicas.refunds(5602) == []
