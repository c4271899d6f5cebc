"""The maintenance half of ``BaseCheckpointSaver``, once for every engine's sync saver.

``prune``, ``delete_thread``, ``delete_for_runs`` and ``copy_thread`` as LangGraph
documents them, plus the counted forms Baton's CLI reports (``prune_history``,
``delete_threads``, ``delete_for_runs_counted``, ``copy_thread_counted``,
``delete_finished_before``; each can be a dry run). Planning is ``persistence.upkeep``'s;
each engine supplies the few primitives below and the ``UpkeepTables`` methods.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from persistence.delta import DeltaSpecs
from persistence.upkeep import (
    CheckpointRow,
    Key,
    Plan,
    Removal,
    plan_delete_runs,
    plan_keep_latest,
    remove_planned,
)

PRUNE_STRATEGIES = ("keep_latest", "delete")


class CheckpointUpkeep(BaseCheckpointSaver[str]):
    """Maintenance over an engine's primitives; mixed in before the stock saver."""

    delta_channels: DeltaSpecs

    @abstractmethod
    def upkeep_threads(self) -> list[str]:
        """Every thread with a checkpoint."""

    @abstractmethod
    def upkeep_run_threads(self, run_ids: Sequence[str]) -> list[str]:
        """The threads ``run_ids`` made a checkpoint or a write in."""

    @abstractmethod
    def upkeep_delete_threads(self, thread_ids: Sequence[str], dry_run: bool) -> Removal:
        """Remove (or count) every row of these threads."""

    @abstractmethod
    def upkeep_copy(self, source: str, target: str) -> Removal:
        """Copy every row of ``source`` under ``target``; refuses a target that exists."""

    @abstractmethod
    def upkeep_latest(self) -> list[str]:
        """Every thread with a top-level checkpoint."""

    @abstractmethod
    def thread_rows(self, thread_id: str) -> list[CheckpointRow]:
        """Every checkpoint of the thread, in every namespace (``UpkeepTables``)."""

    @abstractmethod
    def written_by(self, thread_id: str, run_ids: Sequence[str]) -> set[Key]:
        """The checkpoints of the thread holding a write by ``run_ids`` (``UpkeepTables``)."""

    @abstractmethod
    def carry_out(
        self,
        thread_id: str,
        plan: Plan,
        snapshots: Mapping[Key, Mapping[str, Any]],
        run_ids: Sequence[str],
        removal: Removal,
    ) -> None:
        """Carry ``plan`` out in one transaction (``UpkeepTables``)."""

    @abstractmethod
    def reclaim_space(self) -> int | None:
        """Give freed space back to the file system: the bytes, or None if the engine cannot."""

    # -- LangGraph's maintenance methods ---------------------------------------------------

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """Keep the latest checkpoint of every namespace (``keep_latest``), or delete all."""
        if isinstance(thread_ids, str):
            raise TypeError("thread_ids must be a sequence of thread ids, not a str")
        if strategy not in PRUNE_STRATEGIES:
            raise ValueError(f"unknown prune strategy {strategy!r}")
        if strategy == "delete":
            self.delete_threads(thread_ids)
        else:
            self.prune_history(1, thread_ids)

    def delete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of the thread."""
        self.delete_threads([str(thread_id)])

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints and writes of these runs, wherever later runs went on."""
        self.delete_for_runs_counted(run_ids)

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint and write of a thread under a new thread id (a fork)."""
        self.copy_thread_counted(source_thread_id, target_thread_id)

    # -- counted forms, for the CLI --------------------------------------------------------

    def prune_history(
        self, keep_latest: int, thread_ids: Sequence[str] | None = None, *, dry_run: bool = False
    ) -> Removal:
        """Keep each namespace's latest ``keep_latest`` checkpoints; the rest go.

        The oldest kept checkpoint of a namespace loses its parent and keeps its
        delta-stored state (``persistence.upkeep``), so every kept checkpoint reads as
        before, and a waiting thread resumes.
        """
        if keep_latest < 1:
            raise ValueError("keep_latest must be at least 1")
        threads = list(thread_ids) if thread_ids is not None else self.upkeep_threads()
        return remove_planned(
            self,
            self,
            self.delta_channels,
            threads,
            lambda rows, _: plan_keep_latest(rows, keep_latest),
            dry_run=dry_run,
        )

    def delete_threads(self, thread_ids: Sequence[str], *, dry_run: bool = False) -> Removal:
        """Delete every checkpoint and write of these threads."""
        return self.upkeep_delete_threads([str(t) for t in thread_ids], dry_run)

    def delete_for_runs_counted(
        self,
        run_ids: Sequence[str],
        *,
        dry_run: bool = False,
        thread_ids: Sequence[str] | None = None,
    ) -> Removal:
        """``delete_for_runs``, returning what went; with ``thread_ids``, only those threads.

        A run's checkpoints go with every write on them, and its writes on checkpoints
        that stay go too (a resumed run records its first step against the checkpoint it
        continued from), putting back the special-channel rows they replaced. Checkpoints
        of later runs that continued from removed ones stay, readable as before.
        """
        runs = [str(r) for r in run_ids]
        if not runs:
            return Removal(dry_run=dry_run)
        threads = self.upkeep_run_threads(runs)
        if thread_ids is not None:
            threads = [t for t in threads if t in set(thread_ids)]
        return remove_planned(
            self,
            self,
            self.delta_channels,
            threads,
            lambda rows, written: plan_delete_runs(rows, written, runs),
            run_ids=runs,
            dry_run=dry_run,
        )

    def copy_thread_counted(self, source: str, target: str) -> Removal:
        """``copy_thread``, returning how many checkpoints and writes were copied."""
        return self.upkeep_copy(str(source), str(target))

    def delete_finished_before(
        self, cutoff: datetime, finished: Callable[[str], bool], *, dry_run: bool = False
    ) -> Removal:
        """Delete the threads ``finished`` says are done whose last checkpoint is before ``cutoff``.

        A naive ``cutoff`` is taken as UTC (checkpoint times are UTC).
        """
        if cutoff.tzinfo is None:
            cutoff = cutoff.replace(tzinfo=UTC)
        old = []
        for thread_id in self.upkeep_latest():
            latest = self.get_tuple(_top(thread_id))
            if latest is None or datetime.fromisoformat(latest.checkpoint["ts"]) >= cutoff:
                continue
            if finished(thread_id):
                old.append(thread_id)
        return self.delete_threads(old, dry_run=dry_run)


def _top(thread_id: str) -> Any:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
