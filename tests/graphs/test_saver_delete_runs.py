"""``delete_for_runs`` on both engines: a run's checkpoints and writes go, wherever later
runs went on from them, and what the later runs hold stays readable.
"""

from __future__ import annotations

from typing import Any

import pytest
from checkpoint_tables import count, rows
from saver_graphs import one_node

from graphs.checkpointer import open_checkpointer
from graphs.settings import Settings


@pytest.fixture
def settings(engine_settings: Settings) -> Settings:
    """Every test here runs once per engine."""
    return engine_settings


def test_delete_for_runs_removes_that_runs_checkpoints(settings: Settings) -> None:
    from bench.superstep import build_loop

    saver = open_checkpointer(settings.database)
    graph = build_loop(3, 0.0, saver)
    for thread in ("a", "b"):
        # the server (langgraph dev / platform) puts its run id in the config metadata
        config = {"configurable": {"thread_id": thread}, "metadata": {"run_id": f"run-{thread}"}}
        graph.invoke({"request": "x", "steps": 0}, config)
    saver.delete_for_runs(["run-a"])
    assert count(saver, "checkpoints", "a") == 0
    assert count(saver, "checkpoints", "b") > 0
    saver.close()


def test_deleting_a_run_a_later_run_continued_from_keeps_the_later_state(
    settings: Settings,
) -> None:
    from bench.growth import build_appender

    saver = open_checkpointer(settings.database)
    graph = build_appender(3, saver)  # a worker's real DeltaChannel messages
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"steps": 0}, {**config, "metadata": {"run_id": "run-1"}})
    first_run = count(saver, "checkpoints", "t")
    # a second run continues the thread from the first run's last checkpoint
    graph.invoke({"steps": 10, "messages": []}, {**config, "metadata": {"run_id": "run-2"}})
    graph.invoke({"steps": 0}, {**config, "metadata": {"run_id": "run-3"}})
    latest = graph.get_state(config).values
    assert [m.id for m in latest["messages"]] == ["m1", "m2", "m3", "m11", "m1", "m2", "m3"][:4]
    history = [s.values for s in graph.get_state_history(config)]
    before = count(saver, "checkpoints", "t")

    removal = saver.delete_for_runs_counted(["run-1"])
    assert removal.thread_ids == ["t"] and removal.checkpoints == first_run
    assert removal.materialised >= 1
    assert count(saver, "checkpoints", "t") == before - first_run
    assert graph.get_state(config).values == latest
    # every checkpoint that stayed reads as it did, its messages rebuilt from what is left
    assert [s.values for s in graph.get_state_history(config)] == history[: before - first_run]

    undone = saver.delete_for_runs_counted(["run-3"])
    assert undone.checkpoints > 0
    assert [m.id for m in graph.get_state(config).values["messages"]] == [
        "m1",
        "m2",
        "m3",
        "m11",
    ]
    saver.close()


def test_undoing_a_resumed_run_takes_back_its_answer_to_the_interrupt(settings: Settings) -> None:
    from typing import TypedDict

    from langgraph.types import Command, interrupt

    class Ask(TypedDict, total=False):
        answer: str

    def ask(state: Ask) -> Ask:
        return {"answer": str(interrupt("go ahead?"))}

    saver = open_checkpointer(settings.database)
    graph = one_node(Ask, ask, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({}, {**config, "metadata": {"run_id": "run-1"}})
    graph.invoke(Command(resume="yes"), {**config, "metadata": {"run_id": "run-2"}})
    assert graph.get_state(config).values == {"answer": "yes"}
    # run 2's first step (the resume value, the finished task) was written against the
    # checkpoint run 1 left, which stays
    assert rows(saver, "SELECT COUNT(*) FROM writes WHERE run_id = 'run-2'")[0][0] > 0

    dry = saver.delete_for_runs_counted(["run-2"], dry_run=True)
    assert dry.writes > 0 and count(saver, "writes", "t") > 0
    undone = saver.delete_for_runs_counted(["run-2"])
    assert (undone.checkpoints, undone.writes) == (dry.checkpoints, dry.writes)
    waiting = graph.get_state(config)
    assert waiting.next == ("ask",) and waiting.interrupts[0].value == "go ahead?"
    graph.invoke(Command(resume="no"), {**config, "metadata": {"run_id": "run-3"}})
    assert graph.get_state(config).values == {"answer": "no"}
    saver.close()


def test_undoing_a_run_puts_back_the_interrupt_its_own_interrupt_replaced(
    settings: Settings,
) -> None:
    from typing import TypedDict

    from langgraph.types import Command, interrupt

    class Two(TypedDict, total=False):
        answers: str

    def ask_twice(state: Two) -> Two:
        return {"answers": f"{interrupt('first?')}+{interrupt('second?')}"}

    saver = open_checkpointer(settings.database)
    graph = one_node(Two, ask_twice, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({}, {**config, "metadata": {"run_id": "run-1"}})
    # run 2 answers the first question; the same task asks the second, replacing the
    # interrupt write run 1 made (same task, same slot)
    graph.invoke(Command(resume="a"), {**config, "metadata": {"run_id": "run-2"}})
    assert graph.get_state(config).interrupts[0].value == "second?"
    kept = rows(saver, "SELECT run_id, replaced_by FROM replaced_writes")
    assert ("run-1", "run-2") in kept

    saver.delete_for_runs_counted(["run-2"])
    assert graph.get_state(config).interrupts[0].value == "first?"
    assert count(saver, "replaced_writes") == 0
    graph.invoke(Command(resume="x"), {**config, "metadata": {"run_id": "run-3"}})
    graph.invoke(Command(resume="y"), {**config, "metadata": {"run_id": "run-4"}})
    assert graph.get_state(config).values == {"answers": "x+y"}
    saver.close()


def test_deleting_a_run_another_run_wrote_onto_removes_both_runs_rows_there(
    settings: Settings,
) -> None:
    from bench.superstep import build_loop

    saver = open_checkpointer(settings.database)
    graph = build_loop(2, 0.0, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"request": "x", "steps": 0}, {**config, "metadata": {"run_id": "run-1"}})
    # a second run that stopped before its first checkpoint left only writes behind,
    # and one write carries no run at all
    latest = graph.get_state(config).config
    saver.put_writes({**latest, "metadata": {"run_id": "run-2"}}, [("steps", 9)], "task")
    saver.put_writes(latest, [("steps", 8)], "no-run")
    undone = saver.delete_for_runs_counted(["run-2"])
    assert (undone.checkpoints, undone.writes) == (0, 1)
    removal = saver.delete_for_runs_counted(["run-1"])
    assert removal.thread_ids == ["t"] and removal.checkpoints > 0
    assert count(saver, "checkpoints", "t") == count(saver, "writes", "t") == 0
    saver.close()
