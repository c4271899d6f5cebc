"""The ticket chain's intermediate outputs: extracted fields, then a summary."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TicketFields(BaseModel):
    """Fields extracted from a bug or problem report."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, description="Customer id if mentioned.")
    product: str = Field(min_length=1, max_length=100, description="Product or area affected.")
    severity: Literal["low", "medium", "high", "critical"]
    steps_to_reproduce: list[str] = Field(default_factory=list)
    observed: str = Field(min_length=1, max_length=2000, description="What went wrong.")


class TicketSummary(BaseModel):
    """A short title and summary for the ticket."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=5, max_length=120)
    summary: str = Field(min_length=10, max_length=2000)
