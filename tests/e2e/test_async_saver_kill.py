"""Baton's async savers under SIGKILL, on SQLite and on PostgreSQL: what they acknowledged
is stored, and every thread resumes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import async_saver_process as writer
import psycopg
import pytest
from cli_process import cli_env

SCRIPT = Path(writer.__file__)


@dataclass
class Store:
    """Where the writer process keeps checkpoints, and how the test reads them back."""

    where: str
    log: Path

    def rows(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        if self.where.startswith("postgresql://"):
            sql = sql.replace(" writes", " checkpoint_writes").replace("?", "%s")
            with psycopg.connect(self.where) as conn:
                return list(conn.execute(sql, args).fetchall())
        with closing(sqlite3.connect(self.where, timeout=15)) as conn:
            return list(conn.execute(sql, args).fetchall())

    def count(self, sql: str, *args: object) -> int:
        return int(self.rows(sql, *args)[0][0])  # type: ignore[call-overload]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        return Store(str(tmp_path / "saver.db"), tmp_path / "steps.log")
    return Store(request.getfixturevalue("postgres_url"), tmp_path / "steps.log")


def _start(store: Store, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), store.where, str(store.log), mode],
        env=cli_env(store.log.parent / "home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def test_every_acknowledged_checkpoint_and_write_survives_a_kill(store: Store) -> None:
    process = _start(store, "puts")
    assert process.stdout is not None
    acks: list[list[str]] = []
    for line in process.stdout:
        acks.append(line.split()[1:])
        if len(acks) >= 1500:
            break
    _kill(process)
    assert len(acks) >= 1500, process.stderr.read() if process.stderr else ""
    if not store.where.startswith("postgresql://"):
        assert store.rows("PRAGMA integrity_check")[0][0] == "ok"
    checkpoints = set(store.rows("SELECT thread_id, checkpoint_id FROM checkpoints"))
    writes = set(store.rows("SELECT thread_id, checkpoint_id, task_id FROM writes"))
    assert all((thread, cid) in checkpoints for thread, cid, _ in acks)
    assert all((thread, cid, f"task-{step}") in writes for thread, cid, step in acks)


def test_a_killed_graph_run_resumes_every_thread_rerunning_at_most_its_last_step(
    store: Store,
) -> None:
    process = _start(store, "graph")
    assert process.stdout is not None and process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 60
    while store.count("SELECT COUNT(*) FROM checkpoints") < 2000:  # mid-run, every thread busy
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    _kill(process)
    total = writer.THREADS * writer.STEPS
    killed_at = store.count("SELECT COUNT(*) FROM checkpoints")
    assert killed_at < total  # it really was stopped part way

    resumed = subprocess.run(
        [sys.executable, str(SCRIPT), store.where, str(store.log), "resume"],
        env=cli_env(store.log.parent / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    finals = json.loads(resumed.stdout)
    assert finals == {f"t{i}": writer.STEPS for i in range(writer.THREADS)}
    runs = Counter(store.log.read_text().split("\n")[:-1])
    assert set(runs) == {f"t{i} {n}" for i in range(writer.THREADS) for n in range(1, 301)}
    assert max(runs.values()) <= 2  # a step runs again only if the kill beat its checkpoint
    rerun_threads = Counter(step.split()[0] for step, seen in runs.items() if seen > 1)
    assert max(rerun_threads.values(), default=0) <= 1  # and only a thread's last step
