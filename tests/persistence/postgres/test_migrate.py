"""Schemas on PostgreSQL: replicas starting at the same moment migrate once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from langgraph.checkpoint.postgres.base import BasePostgresSaver
from postgres_db import create_database, drop_database

from persistence.database import PostgresDatabase
from persistence.migrations import Migration
from persistence.postgres.migrate import migrate
from persistence.postgres.pool import open_pool

SCRIPT = Path(__file__).with_name("migrate_process.py")


@pytest.fixture
def fresh_url() -> Iterator[str]:
    """A database of this test's own, with no tables at all."""
    url = create_database()
    yield url
    drop_database(url)


@pytest.mark.e2e
def test_replicas_starting_together_migrate_once(fresh_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    replicas = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), fresh_url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    go.touch()
    outputs = [replica.communicate(timeout=120) for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0] * 4, [err for _, err in outputs]
    applied = sorted(json.loads(out) for out, _ in outputs)
    assert applied == [[], [], [], [1]]  # one replica migrated, the others found it done
    with psycopg.connect(fresh_url) as conn:
        recorded = conn.execute("SELECT store, version FROM baton_migrations").fetchall()
        stock = conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v").fetchall()
    assert recorded == [("checkpoints", 1)]
    assert [v for (v,) in stock] == list(range(len(BasePostgresSaver.MIGRATIONS)))


def test_a_failing_migration_leaves_nothing_behind(fresh_url: str) -> None:
    broken = (
        Migration(1, "a table", statements=("CREATE TABLE first_one (x INT)",)),
        Migration(2, "a mistake", statements=("CREATE TABLE first_one (x INT)",)),
    )
    pool = open_pool(PostgresDatabase(fresh_url))
    with pool.connection() as conn:
        with pytest.raises(psycopg.errors.DuplicateTable):
            migrate(conn, "example", broken)
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        assert tables == []
        assert migrate(conn, "example", broken[:1]) == [1]
        assert migrate(conn, "example", broken[:1]) == []
    pool.close()


def test_a_database_newer_than_this_baton_is_refused(fresh_url: str) -> None:
    one = (Migration(1, "a table", statements=("CREATE TABLE t (x INT)",)),)
    two = (*one, Migration(2, "another", statements=("CREATE TABLE u (x INT)",)))
    pool = open_pool(PostgresDatabase(fresh_url))
    with pool.connection() as conn:
        migrate(conn, "example", two)
        with pytest.raises(RuntimeError, match="upgrade Baton"):
            migrate(conn, "example", one)
    pool.close()
