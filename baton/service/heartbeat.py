"""The replica's heartbeat: while ``baton serve`` runs on PostgreSQL, it says it is alive.

One row per serving process (``persistence.postgres.replicas``), beaten every quarter of
``replica_timeout_s`` from a thread of its own, so a busy event loop does not delay it
(only a stopped or dead process, or one that cannot reach the database, stops beating).
Every lease the process takes names this replica, and other replicas count it as held only
while the beat is fresh: a replica that dies or stalls frees its threads within
``replica_timeout_s`` on any machine. On SQLite there is no heartbeat (one machine: a dead
pid frees its leases at once).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from persistence.database import Database
from persistence.lease_store import replica_beats
from persistence.leases import ReplicaBeats

log = logging.getLogger("baton.service")

BEATS_PER_TIMEOUT = 4
"""Beats within one ``replica_timeout_s``: that many in a row must be missed to lose it."""


class Heartbeat:
    """The process's heartbeat on ``database`` (does nothing on SQLite)."""

    def __init__(self, database: Database, timeout_s: float) -> None:
        self.database, self.timeout_s = database, timeout_s
        self.replica: str | None = None
        """What this process's leases name (None until started, and on SQLite)."""
        self._beats: ReplicaBeats | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Beat once (so the replica is alive before it claims anything), then keep beating."""
        host, pid = socket.gethostname(), os.getpid()
        replica = f"{host}:{pid}:{uuid.uuid4().hex[:12]}"
        beats = replica_beats(self.database, replica, host, pid)
        if beats is None:
            return
        try:
            beats.beat()
        except BaseException:
            beats.close()
            raise
        self._beats, self.replica = beats, replica
        self._thread = threading.Thread(target=self._beat_forever, name="baton-heartbeat")
        self._thread.daemon = True
        self._thread.start()

    def _beat_forever(self) -> None:
        beats = self._beats
        assert beats is not None
        while not self._stop.wait(self.timeout_s / BEATS_PER_TIMEOUT):
            try:
                beats.beat()
            except Exception:  # the database is unreachable: other replicas take over
                log.exception("could not beat replica %s", self.replica)

    def stop(self) -> None:
        """Stop beating and remove the row (call after the leases were released)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        beats, self._beats = self._beats, None
        if beats is None:
            return
        try:
            beats.forget()
        except Exception:  # the row goes stale by itself
            log.exception("could not remove replica %s", self.replica)
        finally:
            beats.close()
