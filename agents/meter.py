"""How agents report model and tool calls: budget charging and trace events.

Agents only see this protocol; ``graphs.budget.RunMeter`` implements it over
``persistence.budget`` (SQLite or PostgreSQL), so that one budget is shared by the parent
graph, every subgraph and every parallel branch.
"""

from __future__ import annotations

from typing import Any, Protocol


class Meter(Protocol):
    """Charges the run's budget and records trace events for one step."""

    def charge_model_call(self) -> None:
        """Reserve one model call; raise ``state.usage.BudgetExhausted`` if none is left."""

    def charge_tool_call(self, once_key: str | None = None) -> None:
        """Reserve one tool call; raise ``BudgetExhausted`` if none is left.

        A call charged under ``once_key`` is charged once per thread, however often the
        node that makes it re-runs (effects deduplicated by an idempotency key).
        """

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        """Add the tokens a model call used."""

    def record(self, kind: str, **data: Any) -> None:
        """Record a trace event of ``kind`` with JSON-serialisable data."""


class NullMeter:
    """A meter with no budget and no trace, for unit tests and one-off calls."""

    def charge_model_call(self) -> None:
        """Allow every call."""

    def charge_tool_call(self, once_key: str | None = None) -> None:
        """Allow every call."""

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        """Ignore token counts."""

    def record(self, kind: str, **data: Any) -> None:
        """Drop the event."""
