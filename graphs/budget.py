"""The run budget, shared by the parent graph, subgraphs and parallel branches.

LangGraph's ``recursion_limit`` bounds supersteps and LangChain's call-limit middleware
counts per agent; neither holds one budget across branches running in parallel threads or
across a crash and a resume. Counters here live in SQLite, keyed by thread id, and each
reservation is one conditional UPDATE, so concurrent branches can never overspend.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.meter import BudgetExhausted
from graphs.sqlite_conn import no_table, session
from graphs.trace import TraceLog
from state.usage import Usage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_usage (
    thread_id TEXT PRIMARY KEY,
    model_calls INTEGER NOT NULL DEFAULT 0,
    tool_calls INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS run_charges (
    thread_id TEXT NOT NULL,
    once_key TEXT NOT NULL,
    PRIMARY KEY (thread_id, once_key)
)
"""


@dataclass(frozen=True)
class Limits:
    """A run's caps."""

    model_calls: int
    tool_calls: int
    tokens: int


class BudgetBook:
    """Usage counters per thread."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        if readonly:  # inspecting a home that may be read-only: create nothing
            return
        with session(path) as conn:
            conn.executescript(_SCHEMA)

    def reserve(
        self, thread_id: str, column: str, limits: Limits, once_key: str | None = None
    ) -> None:
        """Add one to ``column`` if the limits allow, else raise ``BudgetExhausted``.

        With ``once_key``, a reservation already made under that key for the thread is not
        made again (a node that re-runs after a crash does not pay twice for one effect).
        """
        cap = limits.model_calls if column == "model_calls" else limits.tool_calls
        with session(self.path) as conn:
            if (
                once_key is not None
                and not conn.execute(
                    "INSERT OR IGNORE INTO run_charges(thread_id, once_key) VALUES (?, ?)",
                    (thread_id, once_key),
                ).rowcount
            ):
                return
            conn.execute("INSERT OR IGNORE INTO run_usage(thread_id) VALUES (?)", (thread_id,))
            updated = conn.execute(
                f"UPDATE run_usage SET {column} = {column} + 1 WHERE thread_id = ? "
                f"AND {column} < ? AND input_tokens + output_tokens < ?",
                (thread_id, cap, limits.tokens),
            ).rowcount
            if not updated:
                conn.rollback()  # the once-key row goes too: nothing was charged
        if not updated:
            usage = self.usage(thread_id)
            raise BudgetExhausted(
                f"budget exhausted: {usage.model_calls}/{limits.model_calls} model calls, "
                f"{usage.tool_calls}/{limits.tool_calls} tool calls, "
                f"{usage.input_tokens + usage.output_tokens}/{limits.tokens} tokens"
            )

    def add_tokens(self, thread_id: str, input_tokens: int, output_tokens: int) -> None:
        """Add a model call's tokens."""
        with session(self.path) as conn:
            conn.execute(
                "UPDATE run_usage SET input_tokens = input_tokens + ?, "
                "output_tokens = output_tokens + ? WHERE thread_id = ?",
                (input_tokens, output_tokens, thread_id),
            )

    def usage(self, thread_id: str) -> Usage:
        """What a thread has used so far."""
        try:
            with session(self.path, readonly=self.readonly) as conn:
                row = conn.execute(
                    "SELECT model_calls, tool_calls, input_tokens, output_tokens FROM run_usage "
                    "WHERE thread_id = ?",
                    (thread_id,),
                ).fetchone()
        except sqlite3.OperationalError as exc:
            if not no_table(exc):
                raise
            row = None
        if row is None:
            return Usage()
        return Usage(
            model_calls=row[0], tool_calls=row[1], input_tokens=row[2], output_tokens=row[3]
        )


@dataclass(frozen=True)
class RunMeter:
    """The ``agents.meter.Meter`` for one step of one thread."""

    book: BudgetBook
    trace: TraceLog
    limits: Limits
    thread_id: str
    step: str

    def charge_model_call(self) -> None:
        """Reserve a model call from the shared budget."""
        self.book.reserve(self.thread_id, "model_calls", self.limits)

    def charge_tool_call(self, once_key: str | None = None) -> None:
        """Reserve a tool call from the shared budget (once per ``once_key``, if given)."""
        self.book.reserve(self.thread_id, "tool_calls", self.limits, once_key)

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        """Count a model call's tokens."""
        self.book.add_tokens(self.thread_id, input_tokens, output_tokens)

    def record(self, kind: str, **data: Any) -> None:
        """Append a trace event for this step."""
        self.trace.record(self.thread_id, self.step, kind, data)
