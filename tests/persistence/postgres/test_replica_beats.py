"""Replica heartbeats on PostgreSQL: a lease naming a replica lives as long as its beat.

A replica that stops beating (dead or stopped on any machine) frees its threads once its
last beat is older than the timeout, though its pid looks alive and its lease has not
expired; a lease without a replica (``baton run``) keeps today's rule; a replica that beats
again after a takeover still has its writes refused by the new token.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from persistence.database import PostgresDatabase
from persistence.leases import FencedOut, LeaseHeld
from persistence.postgres.leases import PostgresLeaseStore, check_fence
from persistence.postgres.replicas import PostgresReplicaBeats

TIMEOUT_S = 1.0


def _alive(host: str, pid: int) -> bool:
    return True


@pytest.fixture
def store(postgres_url: str) -> Iterator[PostgresLeaseStore]:
    opened = PostgresLeaseStore.open(PostgresDatabase(postgres_url))
    yield opened
    opened.close()


@pytest.fixture
def beats(postgres_url: str) -> Iterator[PostgresReplicaBeats]:
    opened = PostgresReplicaBeats(PostgresDatabase(postgres_url), "r-a", "other-host", 1)
    yield opened
    opened.close()


def test_a_lease_lives_while_its_replica_beats(
    store: PostgresLeaseStore, beats: PostgresReplicaBeats
) -> None:
    beats.beat()
    held = store.claim("t", "a", "other-host", 1, 600, _alive, "r-a", TIMEOUT_S)
    with pytest.raises(LeaseHeld):
        store.claim("t", "b", "here", 2, 600, _alive, "r-b", TIMEOUT_S)
    assert store.held("t", _alive, TIMEOUT_S)
    deadline = time.monotonic() + TIMEOUT_S * 1.5
    while time.monotonic() < deadline:  # beaten in time: never free
        beats.beat()
        assert store.held("t", _alive, TIMEOUT_S)
        time.sleep(TIMEOUT_S / 4)
    time.sleep(TIMEOUT_S + 0.1)  # no beat: free, though the lease has 600 s to run
    assert not store.held("t", _alive, TIMEOUT_S)
    taken = store.claim("t", "b", "here", 2, 600, _alive, "r-b", TIMEOUT_S)
    assert taken.token == held.token + 1
    beats.beat()  # the stalled replica wakes and beats again: its token is still stale
    with store.db.write() as conn, pytest.raises(FencedOut):
        check_fence(conn, held)


def test_a_replica_that_left_or_never_beat_holds_nothing(
    store: PostgresLeaseStore, beats: PostgresReplicaBeats
) -> None:
    store.claim("never", "a", "h", 1, 600, _alive, "r-unknown", TIMEOUT_S)
    assert not store.held("never", _alive, TIMEOUT_S)
    beats.beat()
    store.claim("t", "a", "h", 1, 600, _alive, "r-a", TIMEOUT_S)
    assert store.held("t", _alive, TIMEOUT_S)
    beats.forget()
    assert not store.held("t", _alive, TIMEOUT_S)


def test_a_lease_without_a_replica_keeps_its_expiry(store: PostgresLeaseStore) -> None:
    store.claim("t", "cli", "h", 1, 600, _alive)
    time.sleep(TIMEOUT_S + 0.1)
    assert store.held("t", _alive, TIMEOUT_S)
    with pytest.raises(LeaseHeld):
        store.claim("t", "b", "h", 2, 600, _alive, "r-b", TIMEOUT_S)
