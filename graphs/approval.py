"""The approval node: no irreversible call runs without a human decision.

Our own node rather than LangChain's ``HumanInTheLoopMiddleware``: the middleware has no
arguments hash to bind a decision to what was shown, and executes the call inside the
agent loop, where the effect ledger and a checkpoint between decision and effect cannot
sit. The interrupt value keeps the middleware's tool-approval shape so its UIs still work.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import ToolCall
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphInterrupt
from langgraph.types import interrupt
from pydantic import ValidationError

from graphs.announce import announce, where
from graphs.approval_policy import auto_decision
from graphs.config import thread_of
from graphs.edited_text import ReviewFailed, gated, reviewed_edit
from graphs.services import Services
from graphs.standing import standing
from graphs.tool_calls import call_context, last_ai, pending_irreversible
from state.actions import (
    ApproveDecision,
    DecisionAdapter,
    EditDecision,
    ProposedAction,
    RejectDecision,
    args_hash,
)
from state.events import ApprovalDecided, ApprovalWaiting
from state.graph_state import WorkerState
from state.plan import Step
from tools.spec import ToolSpec


class DecisionRefused(ValueError):
    """A decision that does not fit the proposal it answers."""


def proposal_for(
    call: ToolCall, reason: str, step: Step, live: dict[str, Any] | None = None
) -> ProposedAction:
    """The interrupt value for one irreversible call (``live``: see ``graphs.standing``)."""
    return ProposedAction(
        tool_call_id=call["id"] or "",
        name=call["name"],
        args=dict(call["args"]),
        description=reason or f"{step.worker} wants to call {call['name']}",
        args_hash=args_hash(call["name"], dict(call["args"])),
        step=step.id,
        worker=step.worker,
        live=live,
    )


def check_decision(
    raw: Any, proposal: ProposedAction, spec: ToolSpec
) -> ApproveDecision | EditDecision | RejectDecision:
    """Validate a resume value against the proposal; raise ``DecisionRefused`` if it is off.

    Accepts one decision, or the middleware's ``{"decisions": [decision]}`` envelope.
    """
    if isinstance(raw, dict) and isinstance(raw.get("decisions"), list):
        if len(raw["decisions"]) != 1:
            raise DecisionRefused("exactly one decision per interrupt")
        raw = raw["decisions"][0]
    try:
        decision = DecisionAdapter.validate_python(raw)
    except ValidationError as exc:
        raise DecisionRefused(f"not a decision: {exc.errors()[0]['msg']}") from exc
    if decision.args_hash is not None and decision.args_hash != proposal.args_hash:
        raise DecisionRefused("the decision was made for different arguments")
    if isinstance(decision, EditDecision):
        edited = decision.edited_action
        if edited.name != proposal.name:
            raise DecisionRefused(f"an edit cannot change the tool ({proposal.name})")
        try:
            spec.validate_args(edited.args)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            raise DecisionRefused(f"edited arguments invalid: {where}: {first['msg']}") from exc
    return decision


def make_approval_node(services: Services) -> Any:
    """Build the node that asks for a decision on each pending irreversible call.

    Every proposal, refused decision and decision goes to the audit table; the explicit
    auto-approve policy, when configured and applicable, decides instead of a human.
    """
    limit = services.settings.auto_approve_refunds_upto

    def approval(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        reply = last_ai(state.get("messages", []))
        reason = reply.text if reply is not None and isinstance(reply.text, str) else ""
        decisions = dict(state.get("decisions") or {})
        thread = thread_of(config)
        for call in pending_irreversible(state, services):
            if call["id"] in decisions:
                continue
            spec = services.tools[call["name"]]
            key = call_context(config, step, call).idempotency_key
            live = standing(
                spec,
                dict(call["args"]),
                services.ledger,
                key,
                world=services.world,
                request=state.get("request", ""),
            )
            proposal = proposal_for(call, reason, step, live)
            refused = (state.get("refused") or {}).get(call["id"] or "")
            if refused:  # decided before, refused by the backend when it ran: ask again
                proposal = proposal.model_copy(update={"error": refused})

            def audit(event: str, proposal: ProposedAction = proposal, **extra: str) -> None:
                services.audit.record(
                    thread,
                    step=step.id,
                    tool=proposal.name,
                    tool_call_id=proposal.tool_call_id,
                    args=proposal.args,
                    args_hash=proposal.args_hash,
                    event=event,
                    **extra,
                )

            audit("proposed")
            # A requester who is not the owner, or a call the backend refused, always needs
            # a person's decision (the policy would approve the refused call again, forever).
            policy = None if refused or (live and live.get("identity")) else limit
            decision: ApproveDecision | EditDecision | RejectDecision | None = auto_decision(
                call, spec, proposal.args_hash, policy
            )
            while decision is None:  # a refused decision asks again, with the reason attached
                raw = _ask(proposal, config, state.get("turn"))
                try:
                    decision = check_decision(raw, proposal, spec)
                    edited = reviewed_edit(spec, proposal, decision, services.world)
                    if edited is not None:  # edited text: reviewed, then asked again
                        audit("edited", decision="edit", detail=edited.description)
                        proposal, decision = edited, None
                        continue
                    decision = gated(decision, proposal, call["args"])
                except (DecisionRefused, ReviewFailed) as exc:
                    audit("refused", detail=str(exc))
                    proposal = proposal.model_copy(update={"error": str(exc)})
                    decision = None
            decider = decision.decider or "human (no name given)"
            audit("decided", decision=decision.type, decider=decider)
            decided = ApprovalDecided(
                **where(config, state.get("turn")),
                step=step.id,
                tool=proposal.name,
                tool_call_id=proposal.tool_call_id,
                decision=decision.type,
                decider=decider,
            )
            announce(decided)
            decisions[call["id"] or ""] = decision.model_dump()
        return {"decisions": decisions}

    return approval


def _ask(proposal: ProposedAction, config: RunnableConfig, turn: int | None) -> Any:
    """``interrupt`` with the proposal; announce the wait only when the run really pauses.

    On a resume, ``interrupt`` returns the decision without raising, so the node's re-run
    does not announce a wait that is already over.
    """
    try:
        return interrupt(proposal.model_dump())
    except GraphInterrupt:
        waiting = ApprovalWaiting(
            **where(config, turn),
            step=proposal.step,
            worker=proposal.worker,
            tool=proposal.name,
            tool_call_id=proposal.tool_call_id,
            args=proposal.args,
            args_hash=proposal.args_hash,
            description=proposal.description,
            live=proposal.live,
        )
        announce(waiting)
        raise
