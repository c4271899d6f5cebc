"""The execute node: decided irreversible calls run through the effect ledger, once."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import ToolMessage
from langchain_core.runnables import RunnableConfig

from agents.meter import BudgetExhausted
from graphs.announce import announce, where
from graphs.config import thread_of
from graphs.reconcile import needs_reconciliation, reconcile
from graphs.services import Services
from graphs.tool_calls import call_context, error_message, pending_irreversible
from state.actions import DecisionAdapter, EditDecision, RejectDecision, args_hash
from state.events import EffectDone, ToolCalled
from state.graph_state import WorkerState
from state.plan import Step
from tools.spec import ToolRejected


def make_execute_node(services: Services) -> Any:
    """Build the node that carries out decisions."""

    def execute(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        meter = services.meter(thread_of(config), step.id, state.get("turn"))
        decisions = state.get("decisions") or {}
        out: list[ToolMessage] = []
        effects: list[dict[str, Any]] = []
        for call in pending_irreversible(state, services):
            decision = DecisionAdapter.validate_python(decisions[call["id"] or ""])
            meter.record("approval", tool=call["name"], decision=decision.model_dump())
            if isinstance(decision, RejectDecision):
                out.append(error_message(call, f"Rejected by a human: {decision.message}"))
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
            except ToolRejected as exc:
                meter.record("effect_rejected", tool=spec.name, error=str(exc))
                out.append(error_message(call, f"rejected: {exc}"))
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
        return {"messages": out, "effects": effects, "tool_calls_made": made}

    return execute
