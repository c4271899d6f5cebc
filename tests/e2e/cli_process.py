"""Running ``python -m baton`` as a real process against a given BATON_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from world_rows import world_of, world_rows

DOUBLE_CHARGE = (
    "Customer 1042 was charged twice for order 5531. Please refund the duplicate charge "
    "and let them know by email."
)


def cli_env(home: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a CLI process: offline, UTF-8, its own home (and database)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BATON_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_"))
    }
    env.update(BATON_HOME=str(home), PYTHONUTF8="1", PYTHONUNBUFFERED="1")
    if database_url is not None:
        env["BATON_DATABASE_URL"] = database_url
    return env


def cli_command(*args: str) -> list[str]:
    """argv for one ``baton`` invocation."""
    return [sys.executable, "-m", "baton", *args]


@dataclass
class Baton:
    """The ``baton`` command bound to one home."""

    home: Path
    database_url: str | None = None
    with_world: bool = True
    """Create the sample world first, as ``make demo`` or ``baton world init`` would."""
    extra_env: dict[str, str] = field(default_factory=dict)
    """Variables added to every process's environment (a model server to talk to)."""

    def __post_init__(self) -> None:
        if self.with_world:
            world_of(self.home, self.database_url).init()

    @property
    def engine(self) -> str:
        """Where the processes keep everything: ``sqlite`` or ``postgresql``."""
        return "sqlite" if self.database_url is None else "postgresql"

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``baton ARGS`` to completion."""
        return subprocess.run(
            cli_command(*args),
            env={**cli_env(self.home, self.database_url), **self.extra_env},
            cwd=self.home.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )

    def concurrently(self, *commands: list[str]) -> list[subprocess.CompletedProcess[str]]:
        """Run several ``baton`` commands at once (readers of one home); wait for all."""
        processes = [
            subprocess.Popen(
                cli_command(*args),
                env=cli_env(self.home, self.database_url),
                cwd=self.home.parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
            )
            for args in commands
        ]
        finished = []
        for args, process in zip(commands, processes, strict=True):
            out, err = process.communicate(timeout=120)
            finished.append(subprocess.CompletedProcess(args, process.returncode, out, err))
        return finished

    def json(self, *args: str, expect: int) -> Any:
        """Run ``baton ARGS --json``; check the exit code and parse stdout."""
        done = self(*args, "--json")
        assert done.returncode == expect, (done.stdout, done.stderr)
        assert done.stderr == "", done.stderr
        return json.loads(done.stdout)

    def refunds_for(self, order_id: int) -> list[tuple[str, int]]:
        """(id, amount in cents) of each refund recorded for an order."""
        rows = world_rows(
            world_of(self.home, self.database_url),
            "SELECT id, amount_cents FROM refunds WHERE order_id = ? ORDER BY created_at, id",
            order_id,
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    def emails(self) -> list[Path]:
        """The ``.eml`` files in the outbox."""
        return sorted((self.home / "outbox").glob("*.eml"))

    def approve_until_done(self, thread_id: str, rounds: int = 5) -> dict[str, Any]:
        """``resume --approve all`` until the thread is done; returns the last JSON."""
        for _ in range(rounds):
            done = self("resume", thread_id, "--approve", "all", "--json")
            assert done.returncode in (0, 3), (done.stdout, done.stderr)
            result: dict[str, Any] = json.loads(done.stdout)
            if done.returncode == 0:
                return result
        raise AssertionError(f"{thread_id} still waiting after {rounds} rounds")
