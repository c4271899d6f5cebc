"""What the world says about a proposed irreversible call right now, for its approver.

Read when the approval is asked (and again each time the approval node re-runs, so a
resumed prompt is current): the tool's own ``Fact.standing`` (a refund's refundable
remainder) plus the ledger's record of another call that already did, or is doing, the
same fact. Reads only.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tools.identity import owner_mismatches
from tools.ledger import EffectLedger, describe_prior
from tools.spec import ToolSpec
from tools.world import World


def identity_notes(world: World, request: str, args: dict[str, Any]) -> list[str]:
    """The request's owner mismatches that concern this call's order or customer."""
    if not request:
        return []
    return [
        m.note
        for m in owner_mismatches(world, request)
        if args.get("order_id") == m.order_id or args.get("customer_id") == m.owner_id
    ]


def standing(
    spec: ToolSpec,
    raw_args: dict[str, Any],
    ledger: EffectLedger,
    key: str,
    *,
    world: World | None = None,
    request: str = "",
) -> dict[str, Any] | None:
    """The ``live`` field of the approval request, or None for a tool with no fact.

    With ``world`` and the turn's ``request``: ``identity`` names a requester who is not
    the owner of the order or account the call acts on (see ``tools.identity``).
    """
    if spec.fact is None:
        return None
    try:
        args = spec.validate_args(raw_args)
    except ValidationError:
        return None  # invalid calls never reach approval
    live: dict[str, Any] = {"fact": spec.fact.key(args)}
    if spec.fact.standing is not None:
        live.update(spec.fact.standing(args))
    refunds = live.get("refunds")
    if isinstance(refunds, list):
        ledger.attribute(refunds)
        live["refunds"] = [describe_prior(r) for r in refunds]
    holder = ledger.fact_holder(spec, args, key)
    if holder is not None:
        state = "already_done" if holder["status"] == "done" else "in_progress"
        live[state] = describe_prior(holder)
    notes = identity_notes(world, request, raw_args) if world is not None else []
    if notes:
        live["identity"] = " ".join(notes)
    return live
