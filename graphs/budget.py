"""The run budget as agents see it: one step's ``agents.meter.Meter``.

The counters themselves are ``persistence.budget.BudgetBook`` (SQLite, or PostgreSQL shared
by every replica); this binds them to one thread, turn and step, with the trace beside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from persistence.budget import BudgetBook, Limits
from persistence.trace import TraceLog


@dataclass(frozen=True)
class RunMeter:
    """The ``agents.meter.Meter`` for one step of one thread."""

    book: BudgetBook
    trace: TraceLog
    limits: Limits
    thread_id: str
    step: str
    turn: int = 1

    def charge_model_call(self) -> None:
        """Reserve a model call from the turn's shared budget."""
        self.book.reserve(self.thread_id, "model_calls", self.limits, turn=self.turn)

    def charge_tool_call(self, once_key: str | None = None) -> None:
        """Reserve a tool call from the turn's budget (once per ``once_key``, if given)."""
        self.book.reserve(self.thread_id, "tool_calls", self.limits, once_key, turn=self.turn)

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        """Count a model call's tokens."""
        self.book.add_tokens(self.thread_id, input_tokens, output_tokens, turn=self.turn)

    def record(self, kind: str, **data: Any) -> None:
        """Append a trace event for this step (the turn goes with it)."""
        self.trace.record(self.thread_id, self.step, kind, {**data, "turn": self.turn})
