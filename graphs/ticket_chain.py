"""The ticket chain: extract ─► summarize ─► file the ticket (fixed order, no branching)."""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig

from agents import ticket
from agents.errors import StepFailed
from graphs.announce import announce, where
from graphs.config import thread_of
from graphs.orchestrator_nodes import stopped
from graphs.services import Services
from state.events import TicketFiled
from state.graph_state import OrchestratorState
from state.ticket import TicketFields, TicketSummary
from state.usage import BudgetExhausted
from tools.faults import crash_point
from tools.ledger import idempotency_key
from tools.spec import ToolCallContext, ToolRejected


def make_extract_node(services: Services) -> Any:
    """Extract the report's fields (fast tier, validated)."""

    def extract(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        meter = services.meter(thread_of(config), "extract", state.get("turn"))
        retries = services.settings.structured_retries
        try:
            fields = ticket.extract(services.tiers, state["request"], meter, max_retries=retries)
            return {"ticket_fields": fields.model_dump(mode="json")}
        except (StepFailed, BudgetExhausted) as exc:
            return stopped(exc)

    return extract


def make_summarize_node(services: Services) -> Any:
    """Summarize the fields into a title and summary (fast tier, validated)."""

    def summarize(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        meter = services.meter(thread_of(config), "summarize", state.get("turn"))
        fields = TicketFields.model_validate(state["ticket_fields"])
        retries = services.settings.structured_retries
        try:
            summary = ticket.summarize(services.tiers, fields, meter, max_retries=retries)
            return {"ticket_summary": summary.model_dump(mode="json")}
        except (StepFailed, BudgetExhausted) as exc:
            return stopped(exc)

    return summarize


def make_file_ticket_node(services: Services) -> Any:
    """File the ticket in the business db, once per turn (idempotent on its key)."""

    def file_ticket(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
        thread = thread_of(config)
        turn = state.get("turn") or 1
        meter = services.meter(thread, "file_ticket", turn)
        fields = TicketFields.model_validate(state["ticket_fields"])
        summary = TicketSummary.model_validate(state["ticket_summary"])
        spec = services.tools["file_ticket"]
        args = spec.validate_args(
            {
                "product": fields.product,
                "severity": fields.severity,
                "title": summary.title,
                "summary": summary.summary,
                "body": fields.observed,
                "customer_id": fields.customer_id,
            }
        )
        # The first turn keeps the key threads had before conversations: one ticket each.
        call_id = "ticket" if turn == 1 else f"ticket:{turn}"
        ctx = ToolCallContext(thread, "file_ticket", "ticket", idempotency_key(thread, call_id))
        try:
            meter.charge_tool_call(once_key=ctx.idempotency_key)
        except BudgetExhausted as exc:
            return stopped(exc)
        try:
            result = spec.run(args, ctx)
        except ToolRejected as exc:  # e.g. a customer id the report named but the db lacks
            meter.record("tool_rejected", tool="file_ticket", error=str(exc))
            args = spec.validate_args({**args.model_dump(), "customer_id": None})
            result = spec.run(args, ctx)
        crash_point("effect:file_ticket:after_backend")  # filed, not yet checkpointed
        meter.record("tool_call", tool="file_ticket", args=args.model_dump(mode="json"))
        ticket_id = int(result["ticket_id"])
        announce(TicketFiled(**where(config, turn), ticket_id=ticket_id, title=summary.title))
        return {
            "ticket_id": ticket_id,
            "final_answer": f"Filed ticket #{ticket_id}: {summary.title}\n{summary.summary}",
        }

    return file_ticket
