"""Baton's savers on both engines (SQLite, then PostgreSQL): group commit, prune, fork,
and delete a thread, on the real orchestrator (deleting runs: `test_saver_delete_runs.py`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from checkpoint_tables import count, rows
from graph_run import Run
from saver_graphs import checkpoint_config

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from graphs.settings import Settings

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    """Every test here runs once per engine."""
    return engine_settings


def _namespaces(saver: Any, thread: str) -> dict[str, int]:
    found = rows(
        saver,
        "SELECT checkpoint_ns, COUNT(*) FROM checkpoints WHERE thread_id = ? "
        "GROUP BY checkpoint_ns",
        thread,
    )
    return {str(ns): int(n) for ns, n in found}


def test_concurrent_writes_from_many_threads_all_land(settings: Settings) -> None:
    saver = open_checkpointer(settings.database)
    barrier = threading.Barrier(16)

    def write(i: int) -> None:
        barrier.wait()
        for j in range(10):
            saver.put_writes(
                checkpoint_config("t"), [("results", {"i": i, "j": j})], f"task-{i}-{j}"
            )

    workers = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert count(saver, "writes", "t") == 160
    saver.close()


async def test_the_async_saver_commits_concurrent_writes(settings: Settings) -> None:
    async with open_async_checkpointer(settings.database) as saver:
        await asyncio.gather(
            *(
                saver.aput_writes(checkpoint_config("a"), [("results", i)], f"task-{i}")
                for i in range(200)
            )
        )
        assert await asyncio.to_thread(count, saver, "writes", "a") == 200


def _waiting_workers(run: Run) -> dict[str, Any]:
    """The state of each worker subgraph the thread is waiting in."""
    state = run.graph.get_state(run.config, subgraphs=True)
    return {task.name: task.state.values for task in state.tasks if task.state is not None}


def test_prune_keeps_the_latest_of_every_namespace_and_a_waiting_thread_resumes(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(thread="waiting")
    run.start(DOUBLE_CHARGE)
    saver = run.savers[-1]
    values, workers = run.values, _waiting_workers(run)
    assert any(w.get("messages") for w in workers.values())
    namespaces = _namespaces(saver, "waiting")
    assert len(namespaces) > 1 and max(namespaces.values()) > 1  # workers ran subgraphs
    removal = saver.prune_history(1)
    assert removal.thread_ids == ["waiting"]
    assert removal.checkpoints == sum(namespaces.values()) - len(namespaces)
    assert removal.materialised > 0  # workers' delta-stored messages written into the kept
    assert _namespaces(saver, "waiting") == dict.fromkeys(namespaces, 1)
    run.reopen()
    assert run.values == values and _waiting_workers(run) == workers
    assert len(list(run.graph.get_state_history(run.config))) == 1
    assert run.pending("issue_refund").value["args"]["order_id"] == 5531
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5531) == [(12900, "USD")]


def test_a_dry_run_counts_and_removes_nothing(make_run: Callable[..., Run]) -> None:
    run = make_run(thread="waiting")
    run.start(DOUBLE_CHARGE)
    saver = run.savers[-1]
    checkpoints = count(saver, "checkpoints", "waiting")
    dry = saver.prune_history(1, dry_run=True)
    assert dry.dry_run and dry.checkpoints > 0 and dry.bytes > 0
    assert count(saver, "checkpoints", "waiting") == checkpoints


def test_a_fork_answers_the_same_approval_differently(make_run: Callable[..., Run]) -> None:
    original = make_run(thread="original")
    original.start(DOUBLE_CHARGE)
    original.savers[-1].copy_thread("original", "forked")
    forked = make_run(thread="forked")
    assert forked.pending("issue_refund").value == original.pending("issue_refund").value

    done = original.approve_all()
    rejected = forked.resume({forked.pending().id: {"type": "reject", "message": "no refund"}})
    assert "Refunded 129.00 USD" in done["final_answer"]
    assert "Refunded" not in rejected.get("final_answer", "")
    assert original.refunds(5531) == [(12900, "USD")]  # one refund in the shared world
    assert forked.effects() == []
    assert {e["thread_id"] for e in original.effects()} == {"original"}


def test_copy_refuses_an_unknown_source_and_an_existing_target(settings: Settings) -> None:
    from bench.superstep import build_loop

    saver = open_checkpointer(settings.database)
    with pytest.raises(ValueError, match="unknown thread"):
        saver.copy_thread("nope", "new")
    build_loop(2, 0.0, saver).invoke({"request": "x", "steps": 0}, checkpoint_config("a"))
    build_loop(2, 0.0, saver).invoke({"request": "x", "steps": 0}, checkpoint_config("b"))
    with pytest.raises(ValueError, match="thread b exists"):
        saver.copy_thread("a", "b")
    saver.close()


def test_delete_removes_only_that_thread(make_run: Callable[..., Run]) -> None:
    keep = make_run(thread="keep")
    keep.start("what is your refund policy for annual plans?")
    gone = make_run(thread="gone")
    gone.start(DOUBLE_CHARGE)
    saver = gone.savers[-1]
    removal = saver.delete_threads(["gone"])
    assert removal.thread_ids == ["gone"] and removal.writes > 0
    assert count(saver, "checkpoints", "gone") == count(saver, "writes", "gone") == 0
    assert keep.values["status"] == "done"
    assert (saver.reclaim_space() or 0) >= 0
