"""The bench workloads on real SQLite: what they measure holds, whatever the timings."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from bench import concurrency, growth, orchestrator
from bench.profile import by_package, profile, render
from bench.report import table


def test_worker_messages_grow_linearly_and_history_still_reads(tmp_path: Path) -> None:
    result = growth.run(tmp_path, steps=200)
    # whole-list checkpoints stored ~24 MB here; deltas plus two snapshots stay under 1 MB
    assert result["checkpoint_bytes"] < 1_000_000
    assert result["latest_messages"] == 200
    assert result["history_checkpoints"] == 202
    assert result["time_travel_ok"] is True


def test_only_snapshot_checkpoints_carry_the_message_list(tmp_path: Path) -> None:
    growth.run(tmp_path, steps=200)
    with closing(sqlite3.connect(tmp_path / "growth.db")) as conn:
        sizes = sorted(
            int(r[0])
            for r in conn.execute(
                "SELECT LENGTH(checkpoint) FROM checkpoints WHERE thread_id = ?", ("growth",)
            )
        )
    # two snapshots (after 100 and 200 messages); every other checkpoint is small
    assert sizes[-1] > 200 * 1024 and sizes[-2] > 100 * 1024
    assert sizes[-3] < 4 * 1024


def test_the_orchestrator_workload_runs_the_same_request_both_ways(tmp_path: Path) -> None:
    result = orchestrator.run(tmp_path, latency_s=0.0, repeats=1)
    assert result["status"] == "done"
    assert result["checkpoints_per_run"] >= 8  # triage, the researcher's turns, synthesis
    assert result["durable_ms_per_run"] > 0 and result["raw_ms_per_run"] > 0


def test_a_profile_is_summed_by_package() -> None:
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class S(TypedDict):
        n: int

    graph = StateGraph(S)
    graph.add_node("inc", lambda s: {"n": s["n"] + 1})
    graph.add_edge(START, "inc")
    graph.add_edge("inc", END)
    compiled = graph.compile()
    stats = profile(lambda: [compiled.invoke({"n": i}) for i in range(20)])
    packages = by_package(stats)
    assert packages["langgraph"] > 0
    assert "own time by package" in render("title", stats)


def test_the_concurrency_workload_commits_every_step_and_reports_the_loop_it_held(
    tmp_path: Path,
) -> None:
    result = asyncio.run(concurrency.run(tmp_path, threads=20, steps=3, latency_s=0.0, repeats=1))
    with closing(sqlite3.connect(tmp_path / "concurrency.db")) as conn:
        threads = conn.execute("SELECT COUNT(DISTINCT thread_id) FROM checkpoints").fetchone()[0]
    assert threads == 40  # 20 timed threads and 20 of the event-loop-lag pass, all stored
    rounds = result["commit_rounds_on_loop_ms"]
    assert rounds["rounds"] > 0 and rounds["median_ms"] <= rounds["max_ms"]
    assert set(result["loop_lag_ms"]) == {"durable", "in_memory_saver"}
    assert "commit rounds on the loop" in table({"concurrency": result}, [])
