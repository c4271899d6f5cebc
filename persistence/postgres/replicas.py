"""Replica heartbeats in PostgreSQL (``baton_replicas``): one row per serving process.

Each ``baton serve`` process on PostgreSQL has a row (its replica id, host, pid, when it
started and when it last beat) and beats it with one statement, for all the threads it
holds at once. ``persistence.postgres.leases`` counts a lease that names a replica as
live only while that row is fresh. The beats go over a connection of their own, so a
busy pool of the service's stores cannot hold them back.
"""

from __future__ import annotations

from persistence.database import PostgresDatabase
from persistence.postgres.leases import MIGRATIONS
from persistence.postgres.store_conn import PgStoreConnection

FORGOTTEN_AFTER = "1 day"
"""Rows of replicas that stopped beating this long ago are removed when a replica starts."""


class PostgresReplicaBeats:
    """``persistence.leases.ReplicaBeats`` on PostgreSQL."""

    def __init__(self, database: PostgresDatabase, replica: str, host: str, pid: int) -> None:
        one = PostgresDatabase(
            database.url,
            min_size=1,
            max_size=1,
            max_lifetime_s=database.max_lifetime_s,
            connect_timeout_s=database.connect_timeout_s,
            wait_timeout_s=database.wait_timeout_s,
            application_name=database.application_name,
        )
        self.db = PgStoreConnection(one, name="baton-heartbeat")
        self.replica, self.host, self.pid = replica, host, pid
        try:
            self.db.migrate("thread_leases", MIGRATIONS)
            with self.db.write() as conn:
                conn.execute(
                    "DELETE FROM baton_replicas "
                    f"WHERE beat_at < clock_timestamp() - interval '{FORGOTTEN_AFTER}'"
                )
        except BaseException:
            self.db.close()
            raise

    def beat(self) -> None:
        """Say the replica is alive now (one statement)."""
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO baton_replicas (replica, host, pid, beat_at) "
                "VALUES (%s, %s, %s, clock_timestamp()) "
                "ON CONFLICT (replica) DO UPDATE SET beat_at = clock_timestamp()",
                (self.replica, self.host, self.pid),
            )

    def forget(self) -> None:
        """Remove the replica's row (it stopped; its leases were released)."""
        with self.db.write() as conn:
            conn.execute("DELETE FROM baton_replicas WHERE replica = %s", (self.replica,))

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
