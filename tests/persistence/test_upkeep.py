"""Planning what pruning and deleting runs remove, keep and rewrite (no database)."""

from __future__ import annotations

import pytest

from persistence.upkeep import CheckpointRow, plan_delete_runs, plan_keep_latest


def _chain(ns: str, runs: list[str], parent: str | None = None) -> list[CheckpointRow]:
    """Checkpoints c1, c2, ... of ``ns``, each the child of the one before, by ``runs``."""
    rows = []
    for i, run in enumerate(runs, start=1):
        rows.append(CheckpointRow(ns, f"c{i}", parent, run))
        parent = f"c{i}"
    return rows


def test_keep_latest_keeps_the_newest_of_every_namespace() -> None:
    rows = _chain("", ["r"] * 4) + _chain("worker:1", ["r"] * 3)
    plan = plan_keep_latest(rows, 2)
    assert plan.doomed == {("", "c1"), ("", "c2"), ("worker:1", "c1")}
    assert plan.reparent == {("", "c3"): None, ("worker:1", "c2"): None}
    assert plan.frontier == {("", "c3"), ("worker:1", "c2")}


def test_keep_latest_of_a_short_history_removes_nothing() -> None:
    plan = plan_keep_latest(_chain("", ["r"]), 1)
    assert not plan.doomed and not plan.reparent and not plan.frontier
    with pytest.raises(ValueError, match="at least 1"):
        plan_keep_latest([], 0)


def test_deleting_a_middle_run_reparents_the_later_run_to_the_nearest_kept() -> None:
    rows = _chain("", ["r1", "r2", "r2", "r3"])
    plan = plan_delete_runs(rows, written=set(), run_ids=["r2"])
    assert plan.doomed == {("", "c2"), ("", "c3")}
    assert plan.reparent == {("", "c4"): "c1"}
    assert plan.frontier == {("", "c4")}


def test_a_checkpoint_built_on_a_removed_runs_writes_is_rewritten_not_reparented() -> None:
    rows = _chain("", ["r1", "r1", "r3"])
    plan = plan_delete_runs(rows, written={("", "c2")}, run_ids=["r2"])
    assert plan.doomed == set() and plan.reparent == {}
    assert plan.frontier == {("", "c3")}
