"""The thread listing's facts and rule, on both engines (real threads: ``tests/baton``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from postgres_db import create_database, drop_database

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.thread_summaries import ThreadFacts, summary, thread_summaries


@pytest.fixture(params=["sqlite", "postgres"])
def never_set_up(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A store Baton never wrote to: a file without tables, a database without tables."""
    if request.param == "sqlite":
        path = tmp_path / "baton.db"
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE other (x)")
        yield SqliteDatabase(path)
    else:
        url = create_database()
        yield PostgresDatabase(url)
        drop_database(url)


def test_a_store_never_set_up_has_no_threads(never_set_up: Database) -> None:
    assert thread_summaries(never_set_up) == []


def test_a_missing_file_has_no_threads_and_stays_missing(tmp_path: Path) -> None:
    assert thread_summaries(SqliteDatabase(tmp_path / "baton.db")) == []
    assert not (tmp_path / "baton.db").exists()


_DONE = ThreadFacts(
    thread_id="t",
    values={"status": "done", "request": "refund order 5531", "turn": 2, "turns": [{"turn": 2}]},
    updated_at="2026-01-01T00:00:00+00:00",
    source="loop",
    waiting=False,
    raised=False,
)
"""A thread whose second turn finished ``done``."""


def _facts(**changes: Any) -> ThreadFacts:
    return replace(_DONE, **changes)


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({}, "done"),
        ({"waiting": True, "raised": True}, "waiting"),
        ({"raised": True}, "failed"),
        ({"source": "input"}, "running"),  # the next turn's input is in, nothing ran yet
        ({"values": {"status": "done", "turn": 3, "turns": [{"turn": 2}]}}, "running"),
        ({"values": {"status": "done", "final_answer": "Refunded"}}, "done"),  # before turns
        ({"values": {"status": "done", "final_answer": ""}}, "running"),
        ({"values": {"status": "planning", "turn": 1, "turns": [{"turn": 1}]}}, "running"),
    ],
)
def test_the_listed_status(changes: dict[str, Any], shown: str) -> None:
    row = summary(_facts(**changes))
    assert row["status"] == shown


def test_a_row_names_the_thread_its_request_and_update() -> None:
    assert summary(_facts()) == {
        "thread_id": "t",
        "status": "done",
        "request": "refund order 5531",
        "updated_at": "2026-01-01T00:00:00+00:00",
    }
    assert summary(_facts(values={"request": ["not text"]}))["request"] == ""
