"""The outbox in PostgreSQL: one row per idempotency key is the record that it was sent.

With the world in SQLite the outbox is files (``tools.outbox_files``), not tables.

With the world in PostgreSQL, ``baton_world.outbox`` (primary key: the idempotency key)
is the truth every replica reads, so a second replica never sends the same email again;
the ``.eml`` file each replica still writes under its own home is a copy. ``claim`` holds
a transaction-level advisory lock on the key while the message is sent and recorded:
another replica sending the same key waits for that commit and then finds the row. A
crash between the SMTP server accepting the message and the commit leaves no row (the
transaction rolls back and the lock goes with the connection), so the next attempt sends
again under the same Message-ID: at least once, as with the outbox files.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from persistence.database import PostgresDatabase
from persistence.sqlite.files import utc_timestamp
from persistence.world.store import PgReadConn, PgWorldConn, pg_pool, pg_transaction


def parse(data: bytes) -> EmailMessage:
    """A recorded message, parsed."""
    parsed = BytesParser(policy=policy.default).parsebytes(bytes(data))
    assert isinstance(parsed, EmailMessage)  # policy.default always builds EmailMessage
    return parsed


class Claim:
    """One key's send, inside the transaction that holds the key's lock."""

    def __init__(self, conn: PgWorldConn, key: str) -> None:
        self.conn, self.key = conn, key
        row = conn.execute("SELECT message FROM outbox WHERE idempotency_key = ?", (key,))
        found = row.fetchone()
        self.recorded: EmailMessage | None = parse(found["message"]) if found else None

    def record(self, message: EmailMessage) -> None:
        """Record ``message`` as sent under the key (committed when the claim ends)."""
        self.conn.execute(
            "INSERT INTO outbox (idempotency_key, recipient, message, created_at) "
            "VALUES (?, ?, ?, ?)",
            (self.key, str(message["To"]), message.as_bytes(), utc_timestamp()),
        )


@contextmanager
def claim(database: PostgresDatabase, key: str) -> Iterator[Claim]:
    """The key's send, one replica at a time; its row commits when the block ends."""
    with pg_transaction(database, f"outbox:{key}") as conn:
        yield Claim(conn, key)


def record_once(database: PostgresDatabase, key: str, message: EmailMessage) -> EmailMessage:
    """Record ``message`` unless the key already has one; the message on record."""
    with claim(database, key) as held:
        if held.recorded is not None:
            return held.recorded
        held.record(message)
    return message


def sent(database: PostgresDatabase, key: str) -> bool:
    """Whether an email was recorded under ``key``."""
    conn = PgReadConn(pg_pool(database))
    return (
        conn.execute("SELECT 1 FROM outbox WHERE idempotency_key = ?", (key,)).fetchone()
        is not None
    )


def messages(database: PostgresDatabase) -> list[EmailMessage]:
    """Every recorded message, oldest first."""
    rows = PgReadConn(pg_pool(database)).execute("SELECT message FROM outbox ORDER BY seq")
    return [parse(row["message"]) for row in rows]
