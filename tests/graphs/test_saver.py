"""Baton's saver on real SQLite: group commit, prune, fork, delete, delete by run, vacuum."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from graph_run import Run

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from graphs.settings import Settings
from persistence.sqlite.saver import BatonSaver

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."


def _config(thread: str, checkpoint: str = "c1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": "", "checkpoint_id": checkpoint}}


def _count(saver: BatonSaver, table: str, thread: str) -> int:
    row = saver.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE thread_id = ?", (thread,))
    return int(row.fetchone()[0])


def _one_node(schema: Any, node: Callable[..., Any], saver: BatonSaver) -> Any:
    """START ─► node ─► END over ``saver``."""
    from langgraph.graph import END, START, StateGraph

    builder = StateGraph(schema)
    builder.add_node("ask", node)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", END)
    return builder.compile(checkpointer=saver)


def test_concurrent_writes_from_many_threads_all_land(settings: Settings) -> None:
    saver = open_checkpointer(settings.db_path)
    barrier = threading.Barrier(16)

    def write(i: int) -> None:
        barrier.wait()
        for j in range(10):
            saver.put_writes(_config("t"), [("results", {"i": i, "j": j})], f"task-{i}-{j}")

    workers = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert _count(saver, "writes", "t") == 160
    saver.conn.close()


def test_a_failed_batch_raises_in_every_caller_and_commits_nothing(settings: Settings) -> None:
    saver = open_checkpointer(settings.db_path)
    saver.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON writes BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(Exception, match="no"):
        saver.put_writes(_config("t"), [("results", 1)], "task")
    saver.conn.execute("DROP TRIGGER refuse")
    saver.put_writes(_config("t"), [("results", 2)], "task")
    assert _count(saver, "writes", "t") == 1
    saver.conn.close()


async def test_the_async_saver_commits_concurrent_writes(settings: Settings) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        await asyncio.gather(
            *(saver.aput_writes(_config("a"), [("results", i)], f"task-{i}") for i in range(200))
        )
        count = await saver.run(lambda s: _count(s, "writes", "a"))
    assert count == 200


def test_prune_keeps_a_waiting_thread_resumable(make_run: Callable[..., Run]) -> None:
    run = make_run(thread="waiting")
    run.start(DOUBLE_CHARGE)
    saver = run.savers[-1]
    before = len(list(run.graph.get_state_history(run.config)))
    removal = saver.prune_history(1)
    assert removal.thread_ids == ["waiting"] and removal.checkpoints >= before - 1
    run.reopen()
    assert len(list(run.graph.get_state_history(run.config))) == 1
    assert run.pending("issue_refund").value["args"]["order_id"] == 5531
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5531) == [(12900, "USD")]


def test_a_dry_run_counts_and_removes_nothing(make_run: Callable[..., Run]) -> None:
    run = make_run(thread="waiting")
    run.start(DOUBLE_CHARGE)
    saver = run.savers[-1]
    checkpoints = _count(saver, "checkpoints", "waiting")
    dry = saver.prune_history(1, dry_run=True)
    assert dry.dry_run and dry.checkpoints > 0 and dry.bytes > 0
    assert _count(saver, "checkpoints", "waiting") == checkpoints


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


def test_copy_refuses_an_existing_target(settings: Settings) -> None:
    saver = open_checkpointer(settings.db_path)
    with pytest.raises(ValueError, match="unknown thread"):
        saver.copy_thread("nope", "new")
    saver.conn.close()


def test_delete_removes_only_that_thread(make_run: Callable[..., Run]) -> None:
    keep = make_run(thread="keep")
    keep.start("what is your refund policy for annual plans?")
    gone = make_run(thread="gone")
    gone.start(DOUBLE_CHARGE)
    saver = gone.savers[-1]
    removal = saver.delete_threads(["gone"])
    assert removal.thread_ids == ["gone"] and removal.writes > 0
    assert _count(saver, "checkpoints", "gone") == _count(saver, "writes", "gone") == 0
    assert keep.values["status"] == "done"
    assert saver.vacuum() >= 0


def test_delete_for_runs_removes_that_runs_checkpoints(settings: Settings) -> None:
    from bench.superstep import build_loop

    saver = open_checkpointer(settings.db_path)
    graph = build_loop(3, 0.0, saver)
    for thread in ("a", "b"):
        # the server (langgraph dev / platform) puts its run id in the config metadata
        config = {"configurable": {"thread_id": thread}, "metadata": {"run_id": f"run-{thread}"}}
        graph.invoke({"request": "x", "steps": 0}, config)
    saver.delete_for_runs(["run-a"])
    assert _count(saver, "checkpoints", "a") == 0
    assert _count(saver, "checkpoints", "b") > 0
    saver.conn.close()


def test_delete_for_runs_undoes_the_latest_run_and_never_cuts_a_continued_history(
    settings: Settings,
) -> None:
    from bench.growth import build_appender

    saver = open_checkpointer(settings.db_path)
    graph = build_appender(3, saver)  # a worker's real DeltaChannel messages
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"steps": 0}, {**config, "metadata": {"run_id": "run-1"}})
    after_first = graph.get_state(config).values
    # a second run continues the thread from the first run's last checkpoint
    graph.invoke({"steps": 0}, {**config, "metadata": {"run_id": "run-2"}})
    assert len(graph.get_state(config).values["messages"]) == 3
    before = _count(saver, "checkpoints", "t")

    refused = saver.delete_for_runs_counted(["run-1"])
    assert refused.skipped == ["t"] and refused.checkpoints == 0
    assert _count(saver, "checkpoints", "t") == before

    undone = saver.delete_for_runs_counted(["run-2"])
    assert undone.thread_ids == ["t"] and 0 < undone.checkpoints < before
    state = graph.get_state(config).values
    assert state == after_first
    assert [m.id for m in state["messages"]] == ["m1", "m2", "m3"]
    saver.conn.close()


def test_undoing_a_resumed_run_takes_back_its_answer_to_the_interrupt(settings: Settings) -> None:
    from typing import TypedDict

    from langgraph.types import Command, interrupt

    class Ask(TypedDict, total=False):
        answer: str

    def ask(state: Ask) -> Ask:
        return {"answer": str(interrupt("go ahead?"))}

    saver = open_checkpointer(settings.db_path)
    graph = _one_node(Ask, ask, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({}, {**config, "metadata": {"run_id": "run-1"}})
    graph.invoke(Command(resume="yes"), {**config, "metadata": {"run_id": "run-2"}})
    assert graph.get_state(config).values == {"answer": "yes"}
    # run 2's first step (the resume value, the finished task) was written against the
    # checkpoint run 1 left, which stays
    run2_writes = saver.conn.execute("SELECT COUNT(*) FROM writes WHERE run_id = 'run-2'")
    assert run2_writes.fetchone()[0] > 0

    dry = saver.delete_for_runs_counted(["run-2"], dry_run=True)
    assert dry.writes > 0 and _count(saver, "writes", "t") > 0
    undone = saver.delete_for_runs_counted(["run-2"])
    assert (undone.checkpoints, undone.writes) == (dry.checkpoints, dry.writes)
    waiting = graph.get_state(config)
    assert waiting.next == ("ask",) and waiting.interrupts[0].value == "go ahead?"
    graph.invoke(Command(resume="no"), {**config, "metadata": {"run_id": "run-3"}})
    assert graph.get_state(config).values == {"answer": "no"}
    saver.conn.close()


def test_a_stock_database_gains_the_run_column_and_still_reads(settings: Settings) -> None:
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from bench.superstep import build_loop

    settings.db_path.parent.mkdir(parents=True)
    stock = SqliteSaver(sqlite3.connect(settings.db_path, check_same_thread=False))
    build_loop(2, 0.0, stock).invoke(
        {"request": "x", "steps": 0}, {"configurable": {"thread_id": "s"}}
    )
    stock.conn.close()
    saver = open_checkpointer(settings.db_path)
    columns = [row[1] for row in saver.conn.execute("PRAGMA table_info(writes)")]
    assert columns[-1] == "run_id"
    graph = build_loop(2, 0.0, saver)
    assert graph.get_state({"configurable": {"thread_id": "s"}}).values["steps"] == 2
    saver.conn.close()
    again = SqliteSaver(sqlite3.connect(settings.db_path, check_same_thread=False))
    build_loop(2, 0.0, again).invoke(
        {"request": "y", "steps": 0}, {"configurable": {"thread_id": "s2"}}
    )
    assert again.get_tuple({"configurable": {"thread_id": "s2"}}) is not None
    again.conn.close()


def test_undoing_a_run_puts_back_the_interrupt_its_own_interrupt_replaced(
    settings: Settings,
) -> None:
    from typing import TypedDict

    from langgraph.types import Command, interrupt

    class Two(TypedDict, total=False):
        answers: str

    def ask_twice(state: Two) -> Two:
        return {"answers": f"{interrupt('first?')}+{interrupt('second?')}"}

    saver = open_checkpointer(settings.db_path)
    graph = _one_node(Two, ask_twice, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({}, {**config, "metadata": {"run_id": "run-1"}})
    # run 2 answers the first question; the same task asks the second, replacing the
    # interrupt write run 1 made (same task, same slot)
    graph.invoke(Command(resume="a"), {**config, "metadata": {"run_id": "run-2"}})
    assert graph.get_state(config).interrupts[0].value == "second?"
    kept = saver.conn.execute("SELECT run_id, replaced_by FROM replaced_writes").fetchall()
    assert ("run-1", "run-2") in kept

    saver.delete_for_runs_counted(["run-2"])
    assert graph.get_state(config).interrupts[0].value == "first?"
    assert saver.conn.execute("SELECT COUNT(*) FROM replaced_writes").fetchone()[0] == 0
    graph.invoke(Command(resume="x"), {**config, "metadata": {"run_id": "run-3"}})
    graph.invoke(Command(resume="y"), {**config, "metadata": {"run_id": "run-4"}})
    assert graph.get_state(config).values == {"answers": "x+y"}
    saver.conn.close()


def test_a_run_that_a_later_run_wrote_onto_is_not_deleted(settings: Settings) -> None:
    from baton.thread_index import run_continued
    from bench.superstep import build_loop

    saver = open_checkpointer(settings.db_path)
    graph = build_loop(2, 0.0, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"request": "x", "steps": 0}, {**config, "metadata": {"run_id": "run-1"}})
    assert not run_continued(settings.db_path, "t", "run-1")
    # a second run that stopped before its first checkpoint left only writes behind
    latest = graph.get_state(config).config
    saver.put_writes({**latest, "metadata": {"run_id": "run-2"}}, [("steps", 9)], "task")
    assert run_continued(settings.db_path, "t", "run-1")
    assert not run_continued(settings.db_path, "t", "run-2")
    refused = saver.delete_for_runs_counted(["run-1"])
    assert refused.skipped == ["t"] and refused.checkpoints == 0
    undone = saver.delete_for_runs_counted(["run-2"])
    assert (undone.checkpoints, undone.writes) == (0, 1)
    assert saver.delete_for_runs_counted(["run-1"]).checkpoints > 0
    saver.conn.close()
