"""Concurrent processes on one Baton home: one driver per thread, no "database is locked".

On each engine: SQLite files under the home, or one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import psycopg
import pytest
from cli_process import DOUBLE_CHARGE, Baton
from reliability_log import report
from smtp_server import serve_smtp

pytestmark = pytest.mark.e2e
QUESTION = "How long does a refund for a duplicate charge take to reach the customer?"
MANY = 50 if os.environ.get("RELIABILITY_MATRIX") == "full" else 8
MANY_ON_POSTGRES = 12 if os.environ.get("RELIABILITY_MATRIX") == "full" else 8
"""One CLI process peaked at eleven PostgreSQL connections (an approval flow), so fifty at
once would pass a default server's 100; many runs at once on PostgreSQL go through ``baton serve``
replicas (``tests/e2e/test_replicas.py``: fifty flows over three)."""


class SlowInbox:
    """Accepts each message after a pause, so a send holds its thread for a while."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        await asyncio.sleep(3)
        self.messages.append(bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def slow_smtp() -> Iterator[tuple[str, SlowInbox]]:
    inbox = SlowInbox()
    with serve_smtp(inbox) as url:
        yield url, inbox


def test_two_resumes_at_once_exactly_one_proceeds(
    full_engine_baton: Baton, slow_smtp: tuple[str, SlowInbox]
) -> None:
    baton = full_engine_baton
    url, inbox = slow_smtp
    baton.home.mkdir(parents=True, exist_ok=True)
    (baton.home.parent / ".env").write_text(f"BATON_SMTP_URL={url}\n")
    assert baton("run", DOUBLE_CHARGE, "--thread", "c").returncode == 3
    assert baton("resume", "c", "--approve", "all").returncode == 3  # the refund
    first, second = baton.concurrently(
        ["resume", "c", "--approve", "all", "--json"], ["resume", "c", "--approve", "all", "--json"]
    )
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], (first.stderr, second.stderr)
    loser = first if first.returncode == 2 else second
    assert "thread c is busy" in loser.stderr and len(loser.stderr.splitlines()) == 1
    assert len(inbox.messages) == 1
    assert len(baton.refunds_for(5531)) == 1 and len(baton.emails()) == 1
    report(
        "concurrency: two resumes",
        faults={"concurrent resume": 1},
        checks=1,
        engine=baton.engine,
    )


def hold_lease(baton: Baton, thread: str, host: str, pid: int, expires_in: float) -> None:
    """Write the thread's lease row as another holder would have, where the engine keeps it."""
    row = (thread, f"{host}:{pid}:x", host, pid, time.time() + expires_in)
    if baton.database_url is not None:
        with psycopg.connect(baton.database_url, autocommit=True) as pg:
            pg.execute(
                "INSERT INTO thread_leases (thread_id, holder, host, pid, expires_at, token) "
                "VALUES (%s, %s, %s, %s, %s, 100) ON CONFLICT (thread_id) DO UPDATE SET "
                "holder = excluded.holder, host = excluded.host, pid = excluded.pid, "
                "expires_at = excluded.expires_at, token = excluded.token",
                row,
            )
        return
    with closing(sqlite3.connect(baton.home / "baton.db")) as conn, conn:
        conn.execute(
            "INSERT OR REPLACE INTO thread_leases (thread_id, holder, host, pid, expires_at, "
            "token) VALUES (?, ?, ?, ?, ?, 100)",
            row,
        )


def test_a_live_lease_refuses_and_an_expired_or_dead_one_does_not(engine_baton: Baton) -> None:
    baton = engine_baton
    assert baton("run", DOUBLE_CHARGE, "--thread", "l").returncode == 3
    hold_lease(baton, "l", "other-host", 1, expires_in=300)
    busy = baton("resume", "l", "--approve", "all")
    assert busy.returncode == 2 and "thread l is busy" in busy.stderr
    assert baton.refunds_for(5531) == []
    hold_lease(baton, "l", "other-host", 1, expires_in=-1)  # expired
    assert baton("resume", "l", "--approve", "all").returncode == 3
    hold_lease(baton, "l", socket.gethostname(), 2**22 + 12345, expires_in=300)  # dead pid
    assert baton("resume", "l", "--approve", "all").returncode == 0
    assert len(baton.refunds_for(5531)) == 1


def test_many_runs_at_once_on_one_database_all_finish(full_engine_baton: Baton) -> None:
    baton = full_engine_baton
    many = MANY if baton.database_url is None else MANY_ON_POSTGRES
    assert baton("run", QUESTION, "--thread", "seed").returncode == 0
    runs = baton.concurrently(
        *[["run", QUESTION, "--thread", f"q{i}", "--json"] for i in range(many)]
    )
    assert [r.returncode for r in runs] == [0] * many, [r.stderr for r in runs if r.returncode]
    assert not any("locked" in r.stderr or "Traceback" in r.stderr for r in runs)
    threads = baton.json("threads", expect=0)
    assert sum(1 for t in threads if t["status"] == "done") == many + 1
    report(
        f"concurrency: {many} runs",
        faults={"concurrent run": many},
        checks=many,
        engine=baton.engine,
    )
