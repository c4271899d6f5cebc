"""What pruning and deleting by run remove and keep, planned the same way on every engine.

``BaseCheckpointSaver`` documents ``prune(thread_ids, strategy="keep_latest")`` as keeping
the most recent checkpoint of every namespace, and ``delete_for_runs(run_ids)`` as
deleting the checkpoints and writes of those runs. Both can remove the ancestors of a
checkpoint that stays. A kept checkpoint whose parent goes (the *frontier*) is re-parented
to its nearest kept ancestor (none, when pruning), and the delta-stored state it rebuilt
from the removed history is written into it first (``persistence.delta``), so every kept
checkpoint reads exactly as before. The SQL that carries a plan out is each engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver

from persistence.delta import DeltaSpecs, snapshots

Key = tuple[str, str]
"""A checkpoint within a thread: (namespace, checkpoint id)."""


@dataclass
class Removal:
    """What an upkeep call removed (or, in a dry run, would remove)."""

    thread_ids: list[str] = field(default_factory=list)
    checkpoints: int = 0
    writes: int = 0
    bytes: int = 0
    dry_run: bool = False
    skipped: list[str] = field(default_factory=list)
    materialised: int = 0
    """Kept checkpoints that had removed history written into them."""


@dataclass(frozen=True)
class CheckpointRow:
    """The part of a stored checkpoint that planning looks at."""

    ns: str
    id: str
    parent: str | None
    run_id: str


@dataclass
class Plan:
    """One thread's removal: checkpoints that go, and the kept ones that change."""

    doomed: set[Key] = field(default_factory=set)
    reparent: dict[Key, str | None] = field(default_factory=dict)
    """Kept checkpoints whose parent goes, and their new parent."""
    frontier: set[Key] = field(default_factory=set)
    """Kept checkpoints whose history changes: they get their delta state written in."""


def _repointed(rows: Mapping[Key, CheckpointRow], doomed: set[Key], key: Key) -> str | None:
    """The nearest ancestor of ``key`` that stays (walking up through removed ones)."""
    parent = rows[key].parent
    seen: set[str] = set()
    while parent is not None and (key[0], parent) in doomed and parent not in seen:
        seen.add(parent)
        above = rows.get((key[0], parent))
        parent = above.parent if above is not None else None
    return None if parent is not None and (key[0], parent) in doomed else parent


def _finish(rows: Mapping[Key, CheckpointRow], plan: Plan, touched: set[Key]) -> Plan:
    for key, row in rows.items():
        if key in plan.doomed or row.parent is None:
            continue
        above = (key[0], row.parent)
        if above in touched:
            plan.frontier.add(key)
        if above in plan.doomed:
            plan.reparent[key] = _repointed(rows, plan.doomed, key)
    return plan


def plan_keep_latest(rows: Iterable[CheckpointRow], keep: int) -> Plan:
    """Keep the latest ``keep`` checkpoints of every namespace; the rest go."""
    if keep < 1:
        raise ValueError("keep_latest must be at least 1")
    by_key = {(r.ns, r.id): r for r in rows}
    by_ns: dict[str, list[str]] = {}
    for ns, checkpoint_id in by_key:
        by_ns.setdefault(ns, []).append(checkpoint_id)
    plan = Plan()
    for ns, ids in by_ns.items():
        plan.doomed.update((ns, i) for i in sorted(ids, reverse=True)[keep:])
    return _finish(by_key, plan, set(plan.doomed))


def plan_delete_runs(
    rows: Iterable[CheckpointRow], written: Iterable[Key], run_ids: Iterable[str]
) -> Plan:
    """Remove the checkpoints ``run_ids`` made; ``written`` are those their writes are on."""
    runs = set(run_ids)
    by_key = {(r.ns, r.id): r for r in rows}
    plan = Plan(doomed={key for key, row in by_key.items() if row.run_id in runs})
    return _finish(by_key, plan, plan.doomed | set(written))


class UpkeepTables(Protocol):
    """What an engine gives planning: the rows it reads, and carrying a plan out."""

    def thread_rows(self, thread_id: str) -> list[CheckpointRow]:
        """Every checkpoint of the thread, in every namespace."""
        ...

    def written_by(self, thread_id: str, run_ids: Sequence[str]) -> set[Key]:
        """The checkpoints of the thread holding a write made by ``run_ids``."""
        ...

    def carry_out(
        self,
        thread_id: str,
        plan: Plan,
        snapshots: Mapping[Key, Mapping[str, Any]],
        run_ids: Sequence[str],
        removal: Removal,
    ) -> None:
        """Remove what ``plan`` dooms and ``run_ids``' other writes; update the kept."""
        ...


Planner = Callable[[list[CheckpointRow], set[Key]], Plan]


def remove_planned(
    saver: BaseCheckpointSaver[Any],
    tables: UpkeepTables,
    specs: DeltaSpecs,
    thread_ids: Iterable[str],
    planner: Planner,
    *,
    run_ids: Sequence[str] = (),
    dry_run: bool = False,
) -> Removal:
    """Plan each thread, snapshot its frontier's delta state, then carry the plan out."""
    removal = Removal(dry_run=dry_run)
    for thread_id in thread_ids:
        written = tables.written_by(thread_id, run_ids) if run_ids else set()
        plan = planner(tables.thread_rows(thread_id), written)
        if not plan.doomed and not written:
            continue
        found = {
            key: snapshots(saver, _config(thread_id, key), specs) for key in sorted(plan.frontier)
        }
        tables.carry_out(thread_id, plan, found, run_ids, removal)
        removal.thread_ids.append(thread_id)
    return removal


def _config(thread_id: str, key: Key) -> Any:
    namespace, checkpoint_id = key
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": namespace,
            "checkpoint_id": checkpoint_id,
        }
    }
