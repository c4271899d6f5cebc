"""The explicit auto-approve policy: small refunds may be approved without a human.

Off by default. ``BATON_AUTO_APPROVE_REFUNDS_UPTO=50.00`` approves an ``issue_refund``
whose validated amount is at most that; the policy is recorded as the decider, so the
audit shows that no person made the call. Nothing a model or a request says can turn it
on: it is read from the settings only.
"""

from __future__ import annotations

from decimal import Decimal

from langchain_core.messages import ToolCall
from pydantic import ValidationError

from state.actions import ApproveDecision
from tools.spec import ToolSpec

REFUND_TOOL = "issue_refund"


def policy_decider(limit: Decimal) -> str:
    """How the policy is named in the audit and the trace."""
    return f"policy: auto-approve refunds up to {limit}"


def auto_decision(
    call: ToolCall, spec: ToolSpec, args_hash: str, limit: Decimal | None
) -> ApproveDecision | None:
    """The policy's approval for ``call``, or None if a human must decide."""
    if limit is None or call["name"] != REFUND_TOOL:
        return None
    try:
        args = spec.validate_args(dict(call["args"]))
    except ValidationError:
        return None  # invalid calls never reach approval; never approve one by policy
    amount = getattr(args, "amount", None)
    if not isinstance(amount, Decimal) or amount > limit:
        return None
    return ApproveDecision(type="approve", args_hash=args_hash, decider=policy_decider(limit))
