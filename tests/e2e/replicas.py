"""Several ``baton serve`` replicas on loopback ports over one PostgreSQL database.

Each replica has a home of its own (as on separate machines): runs, threads, stream
events, leases, checkpoints and the sample world (refunds, tickets, the outbox) are in the
database every replica shares, so effects are counted there, not in any home.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client
from serve_process import KEYS, Server
from world_rows import world_of, world_rows

from persistence.world import outbox as outbox_rows

REPLICA_TIMEOUT_S = 2.0
"""The replicas' heartbeat timeout (``BATON_REPLICA_TIMEOUT_S``, its default): a dead or
stalled replica loses its threads after this long, while its leases (600 s) still run."""

REPLICA_ENV: dict[str, str] = {}
"""The replicas run with the default settings."""

FULL = pytest.mark.skipif(
    os.environ.get("BATON_TEST_REPLICAS") != "1", reason="make test-replicas runs it"
)
"""The slower replica tests: ``make test-replicas`` runs them, ``make test`` does not."""
DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
DOUBLE_5602 = "Customer 1077 was charged twice for order 5602; refund the duplicate and email them."


@dataclass
class Replicas:
    """Replicas sharing ``database_url``, each with its own home under ``root``."""

    root: Path
    database_url: str
    started: list[Server] = field(default_factory=list)
    """Every replica ``start`` started (stopped by the test's fixture)."""

    def start(self, *names: str) -> list[Server]:
        """Start replicas by name, one after another; they stay in ``started``."""
        servers = []
        for name in names:
            server = self.replica(name)
            self.started.append(server)
            servers.append(server.start())
        return servers

    def replica(self, name: str, **env: str) -> Server:
        """A new replica (not started) on ``root/home-NAME``; its log is ``root/serve-NAME.log``."""
        env = {"BATON_DATABASE_URL": self.database_url, **REPLICA_ENV, **env}
        return Server(self.root / f"home-{name}", env=env, log_name=f"serve-{name}.log")

    def refunds(self, order_id: int) -> list[int]:
        """Amounts (cents) of the refunds PostgreSQL records for an order."""
        world = world_of(self.root / "reader", self.database_url)
        sql = "SELECT amount_cents FROM refunds WHERE order_id = ? ORDER BY created_at, id"
        return [int(row[0]) for row in world_rows(world, sql, order_id)]

    def emails(self) -> list[str]:
        """The Message-IDs of the emails PostgreSQL records as sent, oldest first."""
        database = world_of(self.root / "reader", self.database_url).database
        assert database is not None
        return [str(message["Message-ID"]) for message in outbox_rows.messages(database)]


def pause(server: Server) -> None:
    """SIGSTOP the replica (a stalled machine)."""
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGSTOP)


def wake(server: Server) -> None:
    """SIGCONT the replica."""
    assert server.process is not None
    os.killpg(server.process.pid, signal.SIGCONT)


async def wait_stopped(server: Server, timeout: float = 60) -> None:
    """Wait until the replica has stopped itself (``BATON_PAUSE_AT``)."""
    assert server.process is not None
    deadline = time.monotonic() + timeout
    stat = Path(f"/proc/{server.process.pid}/stat")
    while stat.read_text().split(") ", 1)[1][0] != "T":
        assert time.monotonic() < deadline, "the replica did not stop"
        await asyncio.sleep(0.02)


async def wait_dead(server: Server, timeout: float = 60) -> float:
    """Wait until the replica's process has died; when (``time.monotonic``).

    The process is not reaped: its pid stays visible (a zombie), as a holder on another
    machine would, so the survivors cannot free its leases by seeing the pid gone.
    """
    assert server.process is not None
    deadline = time.monotonic() + timeout
    stat = Path(f"/proc/{server.process.pid}/stat")
    while stat.read_text().split(") ", 1)[1][0] != "Z":
        assert time.monotonic() < deadline, "the replica did not die"
        await asyncio.sleep(0.01)
    return time.monotonic()


def status_of(error: Any) -> int:
    """The HTTP status of an SDK error."""
    return int(error.response.status_code)


def client_of(server: Server) -> Any:
    """The stock SDK client of ``server``, as tenant acme."""
    return get_client(url=server.url, api_key=KEYS["acme"])


def approval(interrupt: dict[str, Any]) -> dict[str, Any]:
    """The command that approves ``interrupt``."""
    return {"resume": {interrupt["id"]: {"type": "approve"}}}


async def waiting_interrupt(client: Any, tid: str) -> dict[str, Any]:
    """The one interrupt the thread waits on."""
    (waiting,) = (await client.threads.get_state(tid))["interrupts"]
    return dict(waiting)


async def finish_flow(client: Any, tid: str, result: dict[str, Any]) -> None:
    """Approve the email the flow asks for, and check it is done."""
    (email,) = result["__interrupt__"]
    assert email["value"]["name"] == "send_email"
    final = await client.runs.wait(tid, "baton", command=approval(email))
    assert final["status"] == "done"
