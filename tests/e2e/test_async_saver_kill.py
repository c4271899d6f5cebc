"""Baton's async saver under SIGKILL: what it acknowledged is on disk, threads resume."""

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
from pathlib import Path

import async_saver_process as writer
from cli_process import cli_env

SCRIPT = Path(writer.__file__)


def _start(db: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(db), mode],
        env=cli_env(db.parent / "home"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL


def _count(db: Path, sql: str, *args: object) -> int:
    with closing(sqlite3.connect(db, timeout=15)) as conn:
        return int(conn.execute(sql, args).fetchone()[0])


def test_every_acknowledged_checkpoint_and_write_survives_a_kill(tmp_path: Path) -> None:
    db = tmp_path / "acks.db"
    process = _start(db, "puts")
    assert process.stdout is not None
    acks: list[list[str]] = []
    for line in process.stdout:
        acks.append(line.split()[1:])
        if len(acks) >= 1500:
            break
    _kill(process)
    assert len(acks) >= 1500, process.stderr.read() if process.stderr else ""
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        checkpoints = set(conn.execute("SELECT thread_id, checkpoint_id FROM checkpoints"))
        writes = set(conn.execute("SELECT thread_id, checkpoint_id, task_id FROM writes"))
    assert all((thread, cid) in checkpoints for thread, cid, _ in acks)
    assert all((thread, cid, f"task-{step}") in writes for thread, cid, step in acks)


def test_a_killed_graph_run_resumes_every_thread_rerunning_at_most_its_last_step(
    tmp_path: Path,
) -> None:
    db = tmp_path / "graph.db"
    process = _start(db, "graph")
    assert process.stdout is not None and process.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 60
    while _count(db, "SELECT COUNT(*) FROM checkpoints") < 2000:  # mid-run, every thread busy
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    _kill(process)
    total = writer.THREADS * writer.STEPS
    killed_at = _count(db, "SELECT COUNT(*) FROM checkpoints")
    assert killed_at < total  # it really was stopped part way

    resumed = subprocess.run(
        [sys.executable, str(SCRIPT), str(db), "resume"],
        env=cli_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    finals = json.loads(resumed.stdout)
    assert finals == {f"t{i}": writer.STEPS for i in range(writer.THREADS)}
    runs = Counter(Path(f"{db}.steps").read_text().split("\n")[:-1])
    assert set(runs) == {f"t{i} {n}" for i in range(writer.THREADS) for n in range(1, 301)}
    assert max(runs.values()) <= 2  # a step runs again only if the kill beat its checkpoint
    rerun_threads = Counter(step.split()[0] for step, seen in runs.items() if seen > 1)
    assert max(rerun_threads.values(), default=0) <= 1  # and only a thread's last step
