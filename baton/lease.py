"""The thread lease: one process at a time drives a thread, and a taken-over one writes nothing.

Two ``baton resume`` commands on one thread would both run its pending nodes; the ledger
keeps effects single, but model calls, trace and progress would be doubled and the two
would race on approvals. ``run``, ``resume`` and the service therefore claim the thread's
lease (``persistence.leases``: in ``baton.db``, or in PostgreSQL when it is selected)
before they drive a thread, and release it when they are done. The row names its holder
(host and pid) and expires, so a holder that died (SIGKILL, power loss) blocks nobody: on
the same host a dead pid frees it at once, elsewhere the expiry does. A long run renews
its lease as it streams. A service replica on PostgreSQL names itself on each lease it
takes (``replica``): that lease lives only while the replica's heartbeat does
(``baton.service.heartbeat``), so a replica that dies or stalls on another machine frees its
threads within ``replica_timeout_s``. Every claim carries a fencing token that grows; a holder whose
lease was taken over (it stalled past the expiry) has its checkpoint and effect writes
refused (``persistence.leases.FencedOut``).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from baton.errors import BadInput
from persistence.database import Database
from persistence.lease_store import lease_store
from persistence.leases import REPLICA_TIMEOUT_S, Fence, LeaseHeld, current_fence

LEASE_TTL_S = 600.0


class ThreadBusy(BadInput):
    """Another live process holds the thread's lease."""


def _alive(host: str, pid: int) -> bool:
    """Whether the holder may still be running (always True for another host's pid)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class Lease:
    """A held lease; ``renew`` pushes its expiry out, ``release`` gives it up."""

    def __init__(
        self,
        where: Database | Path,
        thread_id: str,
        ttl_s: float,
        replica: str | None = None,
        replica_timeout_s: float = REPLICA_TIMEOUT_S,
    ) -> None:
        self.store = lease_store(where)
        self.thread_id, self.ttl_s = thread_id, ttl_s
        self.replica, self.replica_timeout_s = replica, replica_timeout_s
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.renewed_at = 0.0
        self.fence: Fence | None = None
        """What this holder writes with, once acquired."""
        self.lost = False
        """Whether a renewal found the lease taken over."""

    def acquire(self) -> None:
        """Take the lease or raise ``ThreadBusy``; writes nothing when refused."""
        now = time.time()
        try:
            self.fence = self.store.claim(
                self.thread_id,
                self.holder,
                socket.gethostname(),
                os.getpid(),
                self.ttl_s,
                _alive,
                self.replica,
                self.replica_timeout_s,
            )
        except LeaseHeld as held:
            raise ThreadBusy(
                f"thread {self.thread_id} is busy: baton process {held.pid} on {held.host} "
                "is running it; try again when it has finished"
            ) from None
        self.renewed_at = now

    def renew(self) -> None:
        """Push the expiry out if a third of the lease has passed (``lost`` if taken over)."""
        now = time.time()
        if self.fence is None or now - self.renewed_at < self.ttl_s / 3:
            return
        if not self.store.renew(self.fence, self.ttl_s):
            self.lost = True
        self.renewed_at = now

    def held_by_another(self) -> bool:
        """Whether a live process holds the thread's lease now (claims nothing)."""
        return self.fence is None and self.store.held(
            self.thread_id, _alive, self.replica_timeout_s
        )

    def taken_over(self) -> bool:
        """Whether another holder has claimed the thread since this lease was acquired."""
        return self.fence is not None and self.store.token(self.thread_id) != self.fence.token

    def release(self) -> None:
        """Give the lease up (only if still ours)."""
        if self.fence is not None:
            self.store.release(self.fence)


@contextmanager
def thread_lease(
    where: Database | Path, thread_id: str, ttl_s: float = LEASE_TTL_S
) -> Iterator[Lease]:
    """Hold ``thread_id``'s lease for the block; ``ThreadBusy`` if another process has it.

    The block's checkpoint and effect writes are fenced with the lease's token.
    """
    lease = Lease(where, thread_id, ttl_s)
    lease.acquire()
    fenced = current_fence.set(lease.fence)
    try:
        yield lease
    finally:
        current_fence.reset(fenced)
        lease.release()
