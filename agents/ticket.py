"""The ticket chain's thinking steps: extract the report's fields, then summarize them."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from agents.meter import Meter
from agents.models.tiers import ModelTiers
from agents.structured import invoke_structured
from state.ticket import TicketFields, TicketSummary

EXTRACT_PROMPT = """You are Baton's ticket intake. Extract from the problem report: the
customer id if stated, the product or area, a severity (low, medium, high, critical), the
steps to reproduce, and what was observed. Call TicketFields."""

SUMMARIZE_PROMPT = """You are Baton's ticket writer. Give the ticket a specific title (what
breaks, where) and a short summary an engineer can act on. Call TicketSummary."""


def extract(tiers: ModelTiers, request: str, meter: Meter, *, max_retries: int = 2) -> TicketFields:
    """Extract a ticket's fields from the report."""
    messages = [SystemMessage(EXTRACT_PROMPT), HumanMessage(f"Request: {request}")]
    return invoke_structured(
        tiers, "fast", TicketFields, messages, meter, purpose="extract", max_retries=max_retries
    )


def summarize(
    tiers: ModelTiers, fields: TicketFields, meter: Meter, *, max_retries: int = 2
) -> TicketSummary:
    """Summarize the extracted fields into a title and summary."""
    body = (
        f"Product: {fields.product}\nSeverity: {fields.severity}\n"
        f"Customer: {fields.customer_id or 'unknown'}\n"
        f"Steps: {' | '.join(fields.steps_to_reproduce) or 'none given'}\n"
        f"Observed: {fields.observed}"
    )
    messages = [SystemMessage(SUMMARIZE_PROMPT), HumanMessage(body)]
    return invoke_structured(
        tiers, "fast", TicketSummary, messages, meter, purpose="summarize", max_retries=max_retries
    )
