"""``baton serve`` as a real process on a free loopback port, over a given BATON_HOME."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from cli_process import cli_env
from world_rows import world_of, world_rows

KEYS = {"acme": "acme-key-0123456789", "globex": "globex-key-0123456789"}
"""API keys of the two tenants the tests use."""


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One ``baton serve`` process (restartable on the same home and port)."""

    home: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_name: str = "serve.log"
    """The log's file name beside the home (replicas sharing a home each have their own)."""

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Where the server writes (every start appends)."""
        return self.home.parent / self.log_name

    def start(self, **extra_env: str) -> Server:
        """Start the process and return once it answers ``/ok``."""
        self.spawn(**extra_env)
        self.wait_ready()
        return self

    def spawn(self, **extra_env: str) -> None:
        """Start the process without waiting for it (on a home with the sample world)."""
        world = world_of(self.home, self.env.get("BATON_DATABASE_URL"))
        if world.database is not None or not world.db_path.exists():
            world.init()
        env = cli_env(self.home)
        keys = ",".join(f"{key}={tenant}" for tenant, key in KEYS.items())
        env.update(BATON_API_KEYS=keys, BATON_SERVE_PORT=str(self.port), **self.env, **extra_env)
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"--- start {self.starts} ---\n".encode())
            self.process = subprocess.Popen(
                [sys.executable, "-m", "baton", "serve", "--log-level", "warning"],
                env=env,
                cwd=self.home.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 90) -> None:
        """Wait until ``/ok`` answers (fail with the log if the process died)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/ok", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                assert self.process is not None
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"baton serve did not start:\n{self.log_tail()}") from None
                time.sleep(0.2)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server log."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the process (as a crash would) and reap it."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def wait_dead(self, timeout: float = 60) -> int:
        """Wait for the process to end by itself (a crash point); its return code."""
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def refunds(self, order_id: int) -> list[int]:
        """Amounts (cents) of the refunds recorded for an order."""
        world = world_of(self.home, self.env.get("BATON_DATABASE_URL"))
        sql = "SELECT amount_cents FROM refunds WHERE order_id = ? ORDER BY created_at, id"
        return [int(row[0]) for row in world_rows(world, sql, order_id)]

    def audit_events(self, thread_id: str) -> list[str]:
        """The approval audit's events for a thread, oldest first."""
        uri = f"{(self.home / 'baton.db').resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            rows = conn.execute(
                "SELECT event FROM approval_audit WHERE thread_id = ? ORDER BY id", (thread_id,)
            ).fetchall()
        return [str(row[0]) for row in rows]

    def emails(self) -> list[Path]:
        """The ``.eml`` files in the outbox."""
        return sorted((self.home / "outbox").glob("*.eml"))
