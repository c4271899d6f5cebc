"""Effect reconciliation: ask a human when a crash hid whether an effect happened.

The ledger commits 'started' before a backend call and 'done' after it. A row still
'started' with no error means the process died in between. Most backends dedupe on the
idempotency key, so running the call again is safe; a backend that cannot tell (an SMTP
server, once the message left) says so through ``ToolSpec.reconciliation``, and then the
run pauses with an ``effect_reconciliation`` interrupt instead of acting twice. The answer
is ``{"type": "sent"}`` (record it as done) or ``{"type": "not_sent"}`` (run it again).
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import ToolCall
from langgraph.types import interrupt
from pydantic import BaseModel, ConfigDict, ValidationError

from graphs.services import Services
from state.actions import args_hash
from tools.ledger import LedgerOutcome
from tools.spec import ToolCallContext, ToolSpec

RECONCILIATION = "effect_reconciliation"


class ReconcileAnswer(BaseModel):
    """A human's account of what happened to an effect of unknown outcome."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["sent", "not_sent"]
    args_hash: str | None = None
    decider: str | None = None


def needs_reconciliation(services: Services, spec: ToolSpec, ctx: ToolCallContext) -> bool:
    """The ledger saw an unfinished attempt and the backend cannot say how it ended."""
    return (
        spec.reconciliation is not None
        and services.ledger.outcome_unknown(ctx.idempotency_key)
        and not spec.reconciliation.outcome_known(ctx)
    )


def reconcile(
    services: Services, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext, call: ToolCall
) -> LedgerOutcome | None:
    """Ask whether the effect happened; its recorded outcome if yes, None to run it again."""
    assert spec.reconciliation is not None
    dumped = args.model_dump(mode="json")
    question: dict[str, Any] = {
        "type": RECONCILIATION,
        "tool_call_id": call["id"] or "",
        "name": spec.name,
        "args": dumped,
        "description": f"{spec.name} was attempted, then the process died before its outcome "
        "was recorded, and the backend cannot tell whether it happened. Was it sent?",
        "args_hash": args_hash(spec.name, dumped),
        "step": ctx.step_id,
        "worker": ctx.worker,
    }
    while True:
        raw = interrupt(question)
        try:
            answer = ReconcileAnswer.model_validate(raw)
            break
        except ValidationError:
            question = {**question, "error": 'answer {"type": "sent"} or {"type": "not_sent"}'}
    services.audit.record(
        ctx.thread_id,
        step=ctx.step_id,
        tool=spec.name,
        tool_call_id=question["tool_call_id"],
        args=dumped,
        args_hash=question["args_hash"],
        event="reconciled",
        decision=answer.type,
        decider=answer.decider or "human (no name given)",
    )
    if answer.type == "not_sent":
        return None
    result = spec.reconciliation.record_sent(args, ctx)
    return LedgerOutcome(services.ledger.record_reconciled(ctx.idempotency_key, result), True)
