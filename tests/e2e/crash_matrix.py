"""The crash matrix: run a sample request, SIGKILL it at one crash point, resume, compare.

A reference run (no crash) of each request logs every crash point its processes reach
(``BATON_CRASH_LOG``): superstep commits, worker-subgraph commits, each worker's model
calls, and each effect before and after its backend and its ledger commit. Each point is
one case: the same sequence of processes (``run``, then ``resume --approve all`` until
done) with ``BATON_CRASH_AT`` set on the process that reached it; that process must die by
SIGKILL, and ``baton resume THREAD`` (approving as needed) must end in the reference's
final state, with each refund, email and ticket existing once and no completed step
calling its model again.

A ``Home`` with a ``database_url`` runs every process with ``BATON_DATABASE_URL`` set:
checkpoints, effect ledger, budget, audit, trace and the sample world go to that PostgreSQL
database (each process still writes its copy of a sent email under the home).
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from cli_process import cli_command, cli_env
from world_rows import world_of, world_rows

MAX_PROCESSES = 8
KILLED = -signal.SIGKILL


@dataclass
class Home:
    """One BATON_HOME and every ``baton`` process run against it."""

    path: Path
    database_url: str | None = None
    """PostgreSQL for everything, the world included; ``None``: SQLite under the home."""
    processes: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def baton(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """Run ``baton ARGS`` with extra environment variables."""
        world = world_of(self.path, self.database_url)
        if not world.exists():
            world.init()
        done = subprocess.run(
            cli_command(*args),
            env={**cli_env(self.path, self.database_url), **env},
            cwd=self.path.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        self.processes.append(done)
        return done

    @property
    def unhandled(self) -> int:
        """Processes that printed a traceback or an internal error."""
        return sum(
            1 for p in self.processes if "Traceback" in p.stderr or "internal error" in p.stderr
        )

    def sequence(self, request: str, thread: str, crash: tuple[int, str] | None = None) -> int:
        """Run, then approve until done; crash process ``crash[0]`` at ``crash[1]``.

        Returns the index of the last process (the killed one, if a crash was asked for).
        """
        for index in range(MAX_PROCESSES):
            env = {"BATON_CRASH_LOG": str(self.path.parent / f"points.{index}")}
            if crash is not None and crash[0] == index:
                env = {"BATON_CRASH_AT": crash[1]}
            args = ("run", request, "--thread", thread) if index == 0 else ("resume", thread)
            extra = ("--approve", "all") if index else ()
            done = self.baton(*args, *extra, "--json", **env)
            if done.returncode == KILLED or done.returncode == 0:
                return index
            assert done.returncode == 3, (args, done.returncode, done.stdout, done.stderr)
        raise AssertionError(f"{thread} not done after {MAX_PROCESSES} processes")

    def recover(self, thread: str) -> None:
        """``baton resume THREAD``, then approve until done (what an operator would do)."""
        done = self.baton("resume", thread, "--json")
        if done.returncode == 2 and "is finished" in done.stderr:
            return
        assert done.returncode in (0, 3), (done.returncode, done.stdout, done.stderr)
        for _ in range(MAX_PROCESSES):
            if done.returncode == 0:
                return
            done = self.baton("resume", thread, "--approve", "all", "--json")
            assert done.returncode in (0, 3), (done.returncode, done.stdout, done.stderr)
        raise AssertionError(f"{thread} not done after recovery")

    def show(self, thread: str) -> dict[str, Any]:
        """``baton show THREAD --json``."""
        done = self.baton("show", thread, "--json")
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def world_count(self, table: str, where: str = "1 = 1") -> int:
        """Rows in one table of the world database (matching ``where``)."""
        world = world_of(self.path, self.database_url)
        sql = f"SELECT COUNT(*) AS n FROM {table} WHERE {where}"
        return int(world_rows(world, sql)[0][0])

    def effects(self) -> dict[str, int]:
        """Refunds, emails and tickets that exist in the world."""
        return {
            "refunds": self.world_count("refunds"),
            "emails": self.world_count("outbox")
            if self.database_url
            else len(list((self.path / "outbox").glob("*.eml"))),
            "tickets": self.world_count("tickets"),
        }

    def model_calls(self, thread: str) -> Counter[str]:
        """``model_call`` trace events per step, from the engine the processes used."""
        sql = (
            "SELECT step, COUNT(*) FROM trace_events WHERE thread_id = ?"
            " AND kind = 'model_call' GROUP BY step"
        )
        if self.database_url is not None:
            with psycopg.connect(self.database_url) as pg:
                rows = pg.execute(sql.replace("?", "%s"), (thread,)).fetchall()
        else:
            with closing(sqlite3.connect(self.path / "baton.db")) as conn:
                rows = conn.execute(sql, (thread,)).fetchall()
        return Counter({str(step): int(n) for step, n in rows})

    def rows_by_engine(self, thread: str) -> dict[str, dict[str, int]]:
        """The thread's checkpoint, ledger and trace rows in each engine ({} if none there)."""
        queries = {
            "checkpoints": "SELECT COUNT(*) FROM checkpoints WHERE thread_id = ?",
            "effects": "SELECT COUNT(*) FROM effects WHERE thread_id = ?",
            "trace_events": "SELECT COUNT(*) FROM trace_events WHERE thread_id = ?",
        }
        found: dict[str, dict[str, int]] = {"sqlite": {}, "postgresql": {}}
        uri = f"{(self.path / 'baton.db').resolve().as_uri()}?mode=ro"
        local = (self.path / "baton.db").exists()
        with closing(sqlite3.connect(uri if local else ":memory:", uri=local)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            for table, sql in queries.items():
                if table in tables:
                    found["sqlite"][table] = int(conn.execute(sql, (thread,)).fetchone()[0])
        if self.database_url is not None:
            with psycopg.connect(self.database_url) as pg:
                for table, sql in queries.items():
                    row = pg.execute(sql.replace("?", "%s"), (thread,)).fetchone()
                    found["postgresql"][table] = int(row[0]) if row else 0
        return found


def points_reached(home: Home) -> list[tuple[int, str]]:
    """(process index, ``NAME@N``) of every crash point the reference run reached."""
    found = []
    for index in range(MAX_PROCESSES):
        log = home.path.parent / f"points.{index}"
        if log.exists():
            found += [(index, line) for line in log.read_text().split() if line]
    return found


_VOLATILE = {"replayed", "duplicate", "path", "reconciled"}


def _stable(value: Any) -> Any:
    """``value`` without what legitimately differs after a crash (replays, home paths)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def final_state(details: dict[str, Any]) -> dict[str, Any]:
    """The parts of ``baton show`` a crash must not change."""
    return _stable(
        {
            "status": details["status"],
            "final_answer": details["final_answer"],
            "error": details["error"],
            "results": details["results"],
            "ticket_id": details["ticket_id"],
            "effects": [(e["tool"], e["status"], e["args"]) for e in details["effects"]],
        }
    )


def kind_of(point: str) -> str:
    """The kind of a point: superstep, checkpoint, worker, effect or email."""
    return point.split(":", 1)[0]
