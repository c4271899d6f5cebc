"""The service's stores on both engines: run records, the thread index, the stream event log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from persistence.database import PostgresDatabase, SqliteDatabase
from persistence.runs import RunRecord
from persistence.service_stores import ServiceStores, open_service_stores
from persistence.stream_log import StreamEvent
from persistence.threads import ThreadQuery, ThreadRecord, metadata_matches

Opener = Callable[[], ServiceStores]


@pytest.fixture(params=["sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens the stores on one engine's database (each call a new connection to it)."""
    path = tmp_path / "baton.db"
    if request.param == "postgres":
        database: SqliteDatabase | PostgresDatabase = PostgresDatabase(
            request.getfixturevalue("postgres_url"), max_size=2
        )
    else:
        database = SqliteDatabase(path)
    opened: list[ServiceStores] = []

    def open_() -> ServiceStores:
        opened.append(open_service_stores(database, path))
        return opened[-1]

    yield open_
    for stores in opened:
        stores.close()


@pytest.fixture
def db(opener: Opener) -> ServiceStores:
    return opener()


def _run(run_id: str, thread_id: str, at: float, status: str = "pending") -> RunRecord:
    return RunRecord(
        run_id=run_id,
        thread_id=thread_id,
        tenant="acme",
        assistant_id="a1",
        graph_id="baton",
        status=status,  # type: ignore[arg-type]
        multitask_strategy="reject",
        created_at=at,
        updated_at=at,
        kwargs={"input": {"request": "hi"}, "command": None},
    )


def test_runs_are_kept_and_found(db: ServiceStores) -> None:
    runs = db.runs
    runs.insert(_run("r1", "t1", 1.0))
    runs.insert(_run("r2", "t1", 2.0))
    runs.insert(_run("r3", "t2", 3.0, status="success"))
    assert [r.run_id for r in runs.list_for_thread("t1", limit=10, offset=0)] == ["r2", "r1"]
    assert [r.run_id for r in runs.list_for_thread("t1", limit=1, offset=1)] == ["r1"]
    runs.update("r1", status="running", attempt=2, kwargs={"input": None, "command": {"resume": 1}})
    runs.update("r2", status="error", error="boom", result={"__error__": {"error": "x"}})
    assert [r.run_id for r in runs.unfinished()] == ["r1"]
    r1 = runs.get("r1")
    assert r1 is not None and (r1.status, r1.attempt, r1.kwargs["command"]) == (
        "running",
        2,
        {"resume": 1},
    )
    r2 = runs.get("r2")
    assert r2 is not None and r2.error == "boom" and r2.result == {"__error__": {"error": "x"}}
    assert [r.run_id for r in runs.list_for_thread("t1", limit=5, offset=0, status="error")] == [
        "r2"
    ]
    assert sorted(runs.delete_for_thread("t1")) == ["r1", "r2"]
    assert runs.get("r1") is None and runs.get("r3") is not None
    runs.delete(["r3"])
    assert runs.get("r3") is None


def test_a_second_connection_sees_committed_runs(db: ServiceStores, opener: Opener) -> None:
    db.runs.insert(_run("r1", "t1", 1.0))
    other = opener()
    assert db.engine == other.engine
    assert other.runs.get("r1") is not None
    other.stream_log.append([StreamEvent("r1", 1, "values", b"{}")])
    assert db.stream_log.last_seq("r1") == 1


def test_threads_are_indexed_per_tenant(db: ServiceStores) -> None:
    threads = db.threads
    for i in range(30):
        tenant = "acme" if i % 3 else "globex"
        meta = {"n": i, "tags": {"team": "red" if i % 2 else "blue"}}
        assert threads.insert(ThreadRecord(f"t{i:02}", tenant, float(i), float(i), metadata=meta))
    assert not threads.insert(ThreadRecord("t01", "acme", 0.0, 0.0))
    red = ThreadQuery(tenant="acme", metadata={"tags": {"team": "red"}}, limit=3, offset=1)
    assert [t.thread_id for t in threads.search(red)] == ["t25", "t23", "t19"]
    assert all(t.tenant == "acme" for t in threads.search(ThreadQuery(tenant="acme", limit=100)))
    threads.update("t01", status="error", error="boom", metadata={"extra": 1}, graph_id="baton")
    threads.update("t01", graph_id="researcher")  # the first graph stays
    one = threads.get("t01")
    assert one is not None and (one.status, one.error, one.graph_id) == ("error", "boom", "baton")
    assert one.metadata == {"n": 1, "tags": {"team": "red"}, "extra": 1}
    errors = ThreadQuery(tenant="acme", status="error", sort_by="thread_id", descending=False)
    assert [t.thread_id for t in threads.search(errors)] == ["t01"]
    threads.update("t01", status="idle")
    assert threads.get("t01").error is None  # type: ignore[union-attr]
    threads.delete("t01")
    assert threads.get("t01") is None


def test_metadata_containment() -> None:
    stored = {"a": 1, "b": {"c": [1, 2], "d": "x"}}
    assert metadata_matches(stored, {"a": 1, "b": {"d": "x"}})
    assert not metadata_matches(stored, {"b": {"c": [1]}})
    assert not metadata_matches(stored, {"z": None})


def test_stream_events_append_read_and_go(db: ServiceStores) -> None:
    log = db.stream_log
    log.append([StreamEvent("r1", seq, "values", b"{}") for seq in (1, 2, 3)])
    log.append([StreamEvent("r2", 1, "metadata", b'{"x":1}')])
    assert [e.seq for e in log.read("r1", 1)] == [2, 3]
    assert [e.seq for e in log.read("r1", 0, upto=2)] == [1, 2]
    assert log.last_seq("r1") == 3 and log.last_seq("nope") == 0
    assert log.read("r2", 0)[0].data == b'{"x":1}'
    log.delete_for_runs(["r1"])
    assert log.read("r1", 0) == [] and log.last_seq("r2") == 1
