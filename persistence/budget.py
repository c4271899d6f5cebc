"""The budget store: usage counters shared by the parent graph, subgraphs and branches.

LangGraph's ``recursion_limit`` bounds supersteps and LangChain's call-limit middleware
counts per agent; neither holds one budget across branches running in parallel threads or
across a crash and a resume. Counters here live in SQLite (or in PostgreSQL when it is
selected, shared by every replica), keyed by thread id and turn (a thread is a
conversation, and each turn has its own budget), and each reservation is one conditional
UPDATE, so concurrent branches can never overspend.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.sqlite.session import no_table, session
from persistence.store_sql import Conn, StoreSql, sqlite_opener
from state.usage import BudgetExhausted, Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turn_usage (
    thread_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model_calls INTEGER NOT NULL DEFAULT 0,
    tool_calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (thread_id, turn)
);
CREATE TABLE IF NOT EXISTS run_charges (
    thread_id TEXT NOT NULL,
    once_key TEXT NOT NULL,
    PRIMARY KEY (thread_id, once_key)
);
CREATE TABLE IF NOT EXISTS turn_limits (
    thread_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model_calls INTEGER NOT NULL,
    tool_calls INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (thread_id, turn)
)
"""


_PG_SCHEMA = tuple(
    statement.strip().replace("INTEGER NOT NULL DEFAULT 0", "BIGINT NOT NULL DEFAULT 0")
    for statement in _SCHEMA.split(";")
    if statement.strip()
)


class _NotCharged(Exception):
    """Rolls a reservation back: the limits did not allow it."""


@dataclass(frozen=True)
class Limits:
    """A run's caps."""

    model_calls: int
    tool_calls: int
    tokens: int


class BudgetBook:
    """Usage counters per thread."""

    def __init__(
        self, path: Path, *, readonly: bool = False, database: Database | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        where = database or SqliteDatabase(path)
        self.db = StoreSql("turn_usage", where, sqlite_opener(path), readonly=readonly)
        if readonly:  # inspecting a home that may be read-only: create nothing
            return
        if isinstance(where, PostgresDatabase):
            self.db.migrate(_PG_SCHEMA, ())
            return
        with session(path) as conn:
            conn.executescript(_SCHEMA)
            # Files from before conversations kept one row per thread: it was turn 1.
            if conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_usage'"
            ).fetchone():
                conn.execute(
                    "INSERT OR IGNORE INTO turn_usage SELECT thread_id, 1, model_calls, "
                    "tool_calls, input_tokens, output_tokens FROM run_usage"
                )
                conn.execute("DROP TABLE run_usage")

    def reserve(
        self,
        thread_id: str,
        column: str,
        limits: Limits,
        once_key: str | None = None,
        *,
        turn: int = 1,
    ) -> None:
        """Add one to ``column`` of the turn if the limits allow, else raise ``BudgetExhausted``.

        With ``once_key``, a reservation already made under that key for the thread is not
        made again (a node that re-runs after a crash does not pay twice for one effect).
        """
        cap = limits.model_calls if column == "model_calls" else limits.tool_calls

        def charge(conn: Conn) -> int:
            if (
                once_key is not None
                and not conn.execute(
                    "INSERT INTO run_charges(thread_id, once_key) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING",
                    (thread_id, once_key),
                ).rowcount
            ):
                return 1  # already charged under this key
            conn.execute(
                "INSERT INTO turn_usage(thread_id, turn) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (thread_id, turn),
            )
            updated = conn.execute(
                f"UPDATE turn_usage SET {column} = {column} + 1 WHERE thread_id = ? "
                f"AND turn = ? AND {column} < ? AND input_tokens + output_tokens < ?",
                (thread_id, turn, cap, limits.tokens),
            ).rowcount
            if not updated:
                raise _NotCharged  # rolled back: the once-key row goes too
            return int(updated)

        try:
            updated = self.db.transact(charge, locked=False)
        except _NotCharged:
            updated = 0
        if not updated:
            usage = self.usage(thread_id, turn)
            raise BudgetExhausted(
                f"budget exhausted: {usage.model_calls}/{limits.model_calls} model calls, "
                f"{usage.tool_calls}/{limits.tool_calls} tool calls, "
                f"{usage.input_tokens + usage.output_tokens}/{limits.tokens} tokens"
            )

    def add_tokens(
        self, thread_id: str, input_tokens: int, output_tokens: int, *, turn: int = 1
    ) -> None:
        """Add a model call's tokens to the turn."""
        self.db.execute(
            "UPDATE turn_usage SET input_tokens = input_tokens + ?, "
            "output_tokens = output_tokens + ? WHERE thread_id = ? AND turn = ?",
            (input_tokens, output_tokens, thread_id, turn),
        )

    def raise_limits(self, thread_id: str, turn: int, limits: Limits) -> None:
        """Give one turn of a thread its own, raised caps (``baton resume --budget``)."""
        self.db.execute(
            "INSERT INTO turn_limits (thread_id, turn, model_calls, tool_calls, tokens)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id, turn)"
            " DO UPDATE SET model_calls = excluded.model_calls,"
            " tool_calls = excluded.tool_calls, tokens = excluded.tokens",
            (thread_id, turn, limits.model_calls, limits.tool_calls, limits.tokens),
        )

    def limits_for(self, thread_id: str, turn: int, default: Limits) -> Limits:
        """The caps of one turn: raised ones if a person raised them, else ``default``."""
        try:
            with self.db.read() as conn:
                row = conn.execute(
                    "SELECT model_calls, tool_calls, tokens FROM turn_limits"
                    " WHERE thread_id = ? AND turn = ?",
                    (thread_id, turn),
                ).fetchone()
        except sqlite3.OperationalError as exc:
            if not no_table(exc):
                raise
            row = None
        if row is None:
            return default
        return Limits(int(row["model_calls"]), int(row["tool_calls"]), int(row["tokens"]))

    def usage(self, thread_id: str, turn: int | None = None) -> Usage:
        """What one turn of a thread has used so far; with no turn, the whole thread."""
        where = "thread_id = ?" if turn is None else "thread_id = ? AND turn = ?"
        params: tuple[object, ...] = (thread_id,) if turn is None else (thread_id, turn)
        try:
            with self.db.read() as conn:
                row = conn.execute(
                    "SELECT SUM(model_calls) AS m, SUM(tool_calls) AS t, SUM(input_tokens) AS i,"
                    f" SUM(output_tokens) AS o FROM turn_usage WHERE {where}",
                    params,
                ).fetchone()
        except sqlite3.OperationalError as exc:
            if not no_table(exc):
                raise
            row = None
        if row is None or row["m"] is None:
            return Usage()
        return Usage(
            model_calls=int(row["m"]),
            tool_calls=int(row["t"]),
            input_tokens=int(row["i"]),
            output_tokens=int(row["o"]),
        )
