"""LangGraph's checkpointer conformance suite against each of Baton's four savers.

``langgraph-checkpoint-conformance`` runs its capability suites (put, put_writes,
get_tuple, list, delete_thread, delete_for_runs, copy_thread, prune) through a saver's
async methods, on a fresh saver per capability. The sync savers run behind a thin async
face that calls their sync methods, so the code under test is theirs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.checkpoint.conformance import checkpointer_test, validate

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from persistence.database import Database, PostgresDatabase, SqliteDatabase

ALL = {
    "put",
    "put_writes",
    "get_tuple",
    "list",
    "delete_thread",
    "delete_for_runs",
    "copy_thread",
    "prune",
}


class AsyncFace(BaseCheckpointSaver[str]):
    """A sync saver's methods, awaited: what the suite calls, the sync saver does."""

    def __init__(self, inner: Any) -> None:
        super().__init__(serde=inner.serde)
        self.inner = inner

    async def aget_tuple(self, config: Any) -> CheckpointTuple | None:
        return self.inner.get_tuple(config)  # type: ignore[no-any-return]

    async def alist(self, config: Any, **kwargs: Any) -> AsyncIterator[CheckpointTuple]:
        for item in self.inner.list(config, **kwargs):
            yield item

    async def aput(self, config: Any, checkpoint: Any, metadata: Any, versions: Any) -> Any:
        return self.inner.put(config, checkpoint, metadata, versions)

    async def aput_writes(
        self, config: Any, writes: Any, task_id: str, task_path: str = ""
    ) -> None:
        self.inner.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        self.inner.delete_thread(thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        self.inner.delete_for_runs(run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self.inner.copy_thread(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self.inner.prune(thread_ids, strategy=strategy)

    def get_next_version(self, current: Any, channel: None) -> Any:
        return self.inner.get_next_version(current, channel)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "conformance.db")
    else:
        yield PostgresDatabase(request.getfixturevalue("postgres_url"))


def _failures(report: Any) -> dict[str, Any]:
    return {
        name: result.failures or "not detected"
        for name, result in report.results.items()
        if not (result.detected and result.passed)
    }


def _assert_full(report: Any) -> None:
    assert set(report.results) == ALL
    assert _failures(report) == {}
    assert report.conformance_level() == "FULL"
    assert sum(r.tests_passed for r in report.results.values()) >= 60


async def test_the_sync_saver_conforms(database: Database) -> None:
    async def factory() -> AsyncIterator[BaseCheckpointSaver[Any]]:
        saver = open_checkpointer(database)
        try:
            yield AsyncFace(saver)
        finally:
            saver.close()

    report = await validate(checkpointer_test(name=f"sync-{database.engine}")(factory))
    _assert_full(report)


async def test_the_async_saver_conforms(database: Database) -> None:
    async def factory() -> AsyncIterator[BaseCheckpointSaver[Any]]:
        async with open_async_checkpointer(database) as saver:
            yield saver

    report = await validate(checkpointer_test(name=f"async-{database.engine}")(factory))
    _assert_full(report)
