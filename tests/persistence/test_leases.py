"""Thread leases with fencing tokens on both engines: claims, takeovers, fenced writes."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from persistence.database import PostgresDatabase
from persistence.leases import Fence, FencedOut, LeaseHeld, LeaseStore
from persistence.postgres.leases import PostgresLeaseStore
from persistence.postgres.leases import check_fence as pg_check_fence
from persistence.sqlite.leases import SqliteLeaseStore
from persistence.sqlite.leases import check_fence as sqlite_check_fence


def _alive(host: str, pid: int) -> bool:
    return True


def _dead(host: str, pid: int) -> bool:
    return False


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LeaseStore]:
    if request.param == "sqlite":
        yield SqliteLeaseStore(tmp_path / "baton.db")
        return
    pg = PostgresLeaseStore.open(PostgresDatabase(request.getfixturevalue("postgres_url")))
    yield pg
    pg.close()


def _fenced_write(store: LeaseStore, fence: Fence) -> None:
    """A write in one transaction with its fence check, as the savers and the ledger do."""
    if isinstance(store, SqliteLeaseStore):
        with closing(sqlite3.connect(store.path, isolation_level=None)) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS w (v INTEGER)")
            conn.execute("BEGIN IMMEDIATE")
            try:
                sqlite_check_fence(conn, fence)
                conn.execute("INSERT INTO w VALUES (?)", (fence.token,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return
    assert isinstance(store, PostgresLeaseStore)
    with store.db.write() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS w (v INTEGER)")
        pg_check_fence(conn, fence)
        conn.execute("INSERT INTO w VALUES (%s)", (fence.token,))


def _written(store: LeaseStore) -> list[int]:
    if isinstance(store, SqliteLeaseStore):
        with closing(sqlite3.connect(store.path)) as conn:
            return [int(r[0]) for r in conn.execute("SELECT v FROM w ORDER BY v")]
    assert isinstance(store, PostgresLeaseStore)
    return [int(r["v"]) for r in store.db.read("SELECT v FROM w ORDER BY v")]


def test_a_live_lease_refuses_a_second_claim(store: LeaseStore) -> None:
    first = store.claim("t1", "a", "h", 1, 60, _alive)
    with pytest.raises(LeaseHeld) as held:
        store.claim("t1", "b", "h2", 7, 60, _alive)
    assert (held.value.host, held.value.pid) == ("h", 1)
    assert store.token("t1") == first.token == 1
    assert store.claim("t2", "b", "h", 2, 60, _alive).token == 1  # another thread is free
    assert store.held("t1", _alive) and not store.held("t1", _dead)  # a dead pid holds nothing
    assert not store.held("never", _alive)
    store.release(first)
    assert not store.held("t1", _alive) and store.token("t1") == 1  # looking claimed nothing


def test_tokens_grow_across_takeovers_and_releases(store: LeaseStore) -> None:
    first = store.claim("t", "a", "h", 1, 60, _alive)
    second = store.claim("t", "b", "h", 2, 60, _dead)  # the holder's process is gone
    assert second.token == first.token + 1
    assert not store.renew(first, 60) and store.renew(second, 60)
    store.release(first)  # not the holder any more: nothing changes
    with pytest.raises(LeaseHeld):
        store.claim("t", "c", "h", 3, 60, _alive)
    store.release(second)
    third = store.claim("t", "c", "h", 3, 0.2, _alive)
    assert third.token == 3 and store.token("t") == 3
    time.sleep(0.3)  # expired: taken over though its holder may be alive
    assert store.claim("t", "d", "h", 4, 60, _alive).token == 4


def test_a_taken_over_holder_writes_nothing(store: LeaseStore) -> None:
    stalled = store.claim("t", "a", "h", 1, 0.1, _alive)
    _fenced_write(store, stalled)
    time.sleep(0.2)
    fresh = store.claim("t", "b", "h", 2, 60, _alive)
    with pytest.raises(FencedOut, match="taken over"):
        _fenced_write(store, stalled)
    _fenced_write(store, fresh)
    store.release(fresh)
    with pytest.raises(FencedOut):
        _fenced_write(store, fresh)  # released: its writes are refused too
    assert _written(store) == [stalled.token, fresh.token]


def test_an_old_sqlite_lease_table_gains_tokens(tmp_path: Path) -> None:
    path = tmp_path / "baton.db"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "CREATE TABLE thread_leases (thread_id TEXT PRIMARY KEY, holder TEXT NOT NULL, "
            "host TEXT NOT NULL, pid INTEGER NOT NULL, expires_at REAL NOT NULL)"
        )
        conn.execute("INSERT INTO thread_leases VALUES ('t', 'x', 'h', 1, 0)")
    store = SqliteLeaseStore(path)
    assert store.token("t") == 0
    assert store.claim("t", "a", "h", 1, 60, _alive).token == 1


def test_a_postgres_takeover_waits_for_a_fenced_write_in_flight(postgres_url: str) -> None:
    store = PostgresLeaseStore.open(PostgresDatabase(postgres_url))
    try:
        holder = store.claim("t", "a", "h", 1, 0.1, _alive)
        time.sleep(0.2)
        claimed: list[float] = []
        with psycopg.connect(postgres_url, autocommit=True) as conn, conn.transaction():
            pg_check_fence(conn, holder)  # the write's transaction holds the row
            taker = threading.Thread(
                target=lambda: claimed.append(
                    (store.claim("t", "b", "h", 2, 60, _alive), time.monotonic())[1]
                )
            )
            taker.start()
            time.sleep(0.3)
            committed_at = time.monotonic()
        taker.join(10)
        assert claimed and claimed[0] >= committed_at  # the takeover came after the commit
        assert store.token("t") == holder.token + 1
    finally:
        store.close()
