"""Resource use of a run, summed across the parent graph, subgraphs and branches."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BudgetExhausted(Exception):
    """A run's budget (model calls, tool calls, tokens) is used up."""


class Usage(BaseModel):
    """Counters that budgets are checked against."""

    model_config = ConfigDict(extra="forbid")

    model_calls: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            model_calls=self.model_calls + other.model_calls,
            tool_calls=self.tool_calls + other.tool_calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
        )
