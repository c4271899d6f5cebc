"""The execute node: decided irreversible calls run through the effect ledger, once."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from graphs.announce import announce, where
from graphs.config import thread_of
from graphs.reconcile import needs_reconciliation, reconcile
from graphs.services import Services
from graphs.stale import changed_values, quotes, stale_drafts
from graphs.tool_calls import call_context, error_message, pending_irreversible
from state.actions import DecisionAdapter, EditDecision, RejectDecision, args_hash
from state.events import EffectDone, EffectNotRepeated, ToolCalled
from state.graph_state import WorkerState
from state.plan import Step
from state.usage import BudgetExhausted
from tools.ledger import describe_prior
from tools.spec import AlreadyDone, ToolRejected

REJECTED_BY_HUMAN = "Rejected by a human:"
"""How a rejected call's tool message starts (the outcome check reads it)."""


def already_done_effect(tool: str, args: BaseModel, key: str, exc: AlreadyDone) -> dict[str, Any]:
    """The effect entry for a call whose fact was already in the world: nothing was run."""
    return {
        "tool": tool,
        "args": args.model_dump(mode="json"),
        "result": None,
        "key": key,
        "already_done": [describe_prior(p) for p in exc.prior],
        "replayed": False,
    }


def already_done_message(call: ToolCall, exc: AlreadyDone) -> ToolMessage:
    """What the worker is told: not done again, and who did it when."""
    prior = "; ".join(describe_prior(p) for p in exc.prior)
    content = {"status": "already_done", "not_repeated": str(exc), "done_by": prior}
    return ToolMessage(
        content=json.dumps(content, default=str), tool_call_id=call["id"] or "", name=call["name"]
    )


def make_execute_node(services: Services) -> Any:
    """Build the node that carries out decisions."""

    def execute(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        meter = services.meter(thread_of(config), step.id, state.get("turn"))
        decisions = state.get("decisions") or {}
        out: list[ToolMessage] = []
        effects: list[dict[str, Any]] = []
        refusals: dict[str, str] = {}
        stale: dict[str, dict[str, Any]] = {}
        changes: dict[str, tuple[Any, Any]] = {}
        for call in pending_irreversible(state, services):
            decision = DecisionAdapter.validate_python(decisions[call["id"] or ""])
            meter.record("approval", tool=call["name"], decision=decision.model_dump())
            if isinstance(decision, RejectDecision):
                out.append(error_message(call, f"{REJECTED_BY_HUMAN} {decision.message}"))
                continue
            if stale and quotes(json.dumps(call["args"], default=str), changes):
                # Built on what a human just changed: not run; proposed again, redone.
                out.append(error_message(call, "not run: it quotes values a human changed"))
                continue
            raw_args = (
                decision.edited_action.args if isinstance(decision, EditDecision) else call["args"]
            )
            spec = services.tools[call["name"]]
            args = spec.validate_args(raw_args)  # validated already when decided
            ctx = call_context(config, step, call)
            settled = None
            if needs_reconciliation(services, spec, ctx):
                settled = reconcile(services, spec, args, ctx, call)
            try:
                if settled is None:
                    meter.charge_tool_call(once_key=ctx.idempotency_key)
            except BudgetExhausted as exc:
                out.append(error_message(call, f"not executed: {exc}"))
                return {
                    "messages": out,
                    "effects": effects,
                    "failure": str(exc),
                    "failure_status": "budget_exhausted",
                }
            try:
                outcome = settled or services.ledger.execute(spec, args, ctx)
            except AlreadyDone as exc:
                effect = already_done_effect(spec.name, args, ctx.idempotency_key, exc)
                meter.record("effect_already_done", **effect)
                services.audit.record(
                    ctx.thread_id,
                    step=step.id,
                    tool=spec.name,
                    tool_call_id=call["id"] or "",
                    args=effect["args"],
                    args_hash=args_hash(spec.name, effect["args"]),
                    event="already_done",
                    decision=decision.type,
                    decider=decision.decider or "",
                    detail="; ".join(effect["already_done"]),
                )
                effects.append({**effect, "decision": decision.type})
                out.append(already_done_message(call, exc))
                skipped = EffectNotRepeated(
                    **where(config, state.get("turn")),
                    step=step.id,
                    worker=step.worker,
                    tool=spec.name,
                    tool_call_id=call["id"] or "",
                    decision=decision.type,
                    done_by=effect["already_done"],
                )
                announce(skipped)
                continue
            except ToolRejected as exc:
                # Back to the human who decided, with the reason: never a silent "done".
                meter.record("effect_rejected", tool=spec.name, error=str(exc))
                reason = f"{spec.name} was refused when it ran: {exc}"
                refusals[call["id"] or ""] = f"{reason}; approve again, edit or reject"
                services.audit.record(
                    ctx.thread_id,
                    step=step.id,
                    tool=spec.name,
                    tool_call_id=call["id"] or "",
                    args=args.model_dump(mode="json"),
                    args_hash=args_hash(spec.name, args.model_dump(mode="json")),
                    event="backend_refused",
                    decision=decision.type,
                    decider=decision.decider or "",
                    detail=str(exc),
                )
                refused = ToolCalled(
                    **where(config, state.get("turn")),
                    step=step.id,
                    worker=step.worker,
                    tool=spec.name,
                    tool_call_id=call["id"] or "",
                    ok=False,
                    error=f"rejected: {exc}",
                )
                announce(refused)
                continue
            effect = {
                "tool": spec.name,
                "args": args.model_dump(mode="json"),
                "result": outcome.result,
                "key": ctx.idempotency_key,
                "decision": decision.type,
                "replayed": outcome.replayed,
            }
            meter.record("effect", **effect)
            services.audit.record(
                ctx.thread_id,
                step=step.id,
                tool=spec.name,
                tool_call_id=call["id"] or "",
                args=effect["args"],
                args_hash=args_hash(spec.name, effect["args"]),
                event="executed",
                decision=decision.type,
                decider=decision.decider or "",
            )
            effects.append(effect)
            if isinstance(decision, EditDecision):
                changed = changed_values(dict(call["args"]), effect["args"])
                found = stale_drafts(state.get("drafts") or {}, spec.name, step.id, changed)
                if found:
                    meter.record("drafts_stale", tool=spec.name, drafts=found)
                    stale.update(found)
                    changes.update(changed)
            done = EffectDone(
                **where(config, state.get("turn")),
                step=step.id,
                worker=step.worker,
                tool=spec.name,
                tool_call_id=call["id"] or "",
                decision=decision.type,
                key=ctx.idempotency_key,
                result=outcome.result,
                replayed=outcome.replayed,
            )
            announce(done)
            out.append(
                ToolMessage(
                    content=json.dumps(outcome.result, default=str),
                    tool_call_id=call["id"] or "",
                    name=spec.name,
                )
            )
        made = state.get("tool_calls_made", 0)
        update: dict[str, Any] = {"messages": out, "effects": effects, "tool_calls_made": made}
        if refusals:
            update["decisions"] = {k: v for k, v in decisions.items() if k not in refusals}
            update["refused"] = {**(state.get("refused") or {}), **refusals}
        if stale:
            update["stale_drafts"] = stale
        return update

    return execute
