"""What flows through Baton: graph states and the pydantic models that cross boundaries."""

from state.actions import ApproveDecision, Decision, EditDecision, ProposedAction, RejectDecision
from state.draft import Draft, ReviewVerdict
from state.plan import Plan, Step
from state.results import WorkerResult
from state.route import Route
from state.synthesis import Synthesis
from state.ticket import TicketFields, TicketSummary
from state.usage import Usage

__all__ = [
    "ApproveDecision",
    "Decision",
    "Draft",
    "EditDecision",
    "Plan",
    "ProposedAction",
    "RejectDecision",
    "ReviewVerdict",
    "Route",
    "Step",
    "Synthesis",
    "TicketFields",
    "TicketSummary",
    "Usage",
    "WorkerResult",
]
