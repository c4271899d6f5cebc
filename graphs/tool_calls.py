"""The worker's ``act`` node: validate every tool call, run the reversible ones.

Irreversible calls with valid arguments are left for the approval node; unknown tools and
invalid arguments go straight back to the model as tool errors, without bothering a human.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from pydantic import ValidationError

from agents.workers import WorkerSpec
from graphs.announce import announce, where
from graphs.config import thread_of
from graphs.services import Services
from state.draft import Draft
from state.events import ToolCalled
from state.graph_state import WorkerState
from state.plan import Step
from state.usage import BudgetExhausted
from tools.ledger import idempotency_key
from tools.spec import ToolCallContext, ToolRejected, ToolSpec


def last_ai(messages: list[AnyMessage]) -> AIMessage | None:
    """The most recent model reply."""
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)


def answered_ids(messages: list[AnyMessage]) -> set[str]:
    """Tool call ids that already have a result."""
    return {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}


def pending_irreversible(state: WorkerState, services: Services) -> list[ToolCall]:
    """Irreversible calls of the last reply that still wait for a decision or a result."""
    messages = state.get("messages", [])
    reply, done = last_ai(messages), answered_ids(messages)
    if reply is None:
        return []
    return [
        call
        for call in reply.tool_calls
        if call["id"] not in done
        and call["name"] in services.tools
        and not services.tools[call["name"]].reversible
    ]


def error_message(call: ToolCall, text: str) -> ToolMessage:
    """A tool error the model sees and can respond to."""
    return ToolMessage(
        content=text, tool_call_id=call["id"] or "", name=call["name"], status="error"
    )


def call_context(config: RunnableConfig, step: Step, call: ToolCall) -> ToolCallContext:
    """The context a tool runs with; the key derives from thread id and tool call id."""
    thread = thread_of(config)
    return ToolCallContext(thread, step.id, step.worker, idempotency_key(thread, call["id"] or ""))


def make_act_node(worker: WorkerSpec, services: Services) -> Any:
    """Build the node that runs a reply's reversible tool calls."""

    def act(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        turn = state.get("turn")
        meter = services.meter(thread_of(config), step.id, turn)
        reply = last_ai(state.get("messages", []))

        def called(call: ToolCall, error: str | None = None) -> None:
            event = ToolCalled(
                **where(config, turn),
                step=step.id,
                worker=worker.name,
                tool=call["name"],
                tool_call_id=call["id"] or "",
                ok=error is None,
                error=error,
            )
            announce(event)

        out: list[ToolMessage] = []
        update: dict[str, Any] = {"citations": []}
        for call in reply.tool_calls if reply else []:
            spec: ToolSpec | None = services.tools.get(call["name"])
            if spec is None or call["name"] not in worker.tools:
                out.append(
                    error_message(call, f"unknown tool {call['name']!r}; use {worker.tools}")
                )
                continue
            try:
                args = spec.validate_args(call["args"])
            except ValidationError as exc:
                reason = "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                )
                meter.record("tool_invalid_args", tool=spec.name, error=reason)
                out.append(error_message(call, f"invalid arguments: {reason}"))
                called(call, f"invalid arguments: {reason}")
                continue
            if not spec.reversible:
                continue  # the approval node asks a human first
            try:
                meter.charge_tool_call()
            except BudgetExhausted as exc:
                return {"messages": out, "failure": str(exc), "failure_status": "budget_exhausted"}
            try:
                result = spec.run(args, call_context(config, step, call))
            except ToolRejected as exc:
                meter.record("tool_rejected", tool=spec.name, error=str(exc))
                out.append(error_message(call, f"rejected: {exc}"))
                called(call, f"rejected: {exc}")
                continue
            meter.record("tool_call", tool=spec.name, args=call["args"])
            called(call)
            out.append(
                ToolMessage(
                    content=json.dumps(result, default=str),
                    tool_call_id=call["id"] or "",
                    name=spec.name,
                )
            )
            _collect_artifacts(result, update)
        made = state.get("tool_calls_made", 0) + len(reply.tool_calls if reply else [])
        return {**update, "messages": out, "tool_calls_made": made}

    return act


def _collect_artifacts(result: Any, update: dict[str, Any]) -> None:
    """Pick drafts and citations out of a tool result."""
    if isinstance(result, dict) and isinstance(result.get("draft"), dict):
        update["draft"] = Draft.model_validate(result["draft"]).model_dump(mode="json")
    hits = result if isinstance(result, list) else []
    update["citations"] += [h["cite"] for h in hits if isinstance(h, dict) and "cite" in h]
