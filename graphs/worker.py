"""The worker subgraph builder: model ─► tools ─► approval ─► execute, per registered worker.

Each worker is its own compiled graph, so Studio shows it, its checkpoints are its own
(a resumed run never repeats a worker's completed model calls), and adding a worker is
registering a spec, not editing a graph.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import RetryPolicy

from agents.calls import call_model
from agents.errors import StepFailed
from agents.task_message import task_text
from agents.tool_schema import openai_tool
from agents.workers import WorkerSpec
from graphs.announce import announce, where
from graphs.approval import make_approval_node
from graphs.config import thread_of
from graphs.execute import REJECTED_BY_HUMAN, make_execute_node
from graphs.plain_node import plain_node
from graphs.services import Services
from graphs.tool_calls import last_ai, make_act_node, pending_irreversible
from state.events import StepFinished, StepStarted
from state.graph_state import WorkerOutput, WorkerState, WorkerTask
from state.plan import Step
from state.results import WorkerResult
from state.usage import BudgetExhausted
from tools.faults import crash_point
from tools.spec import ToolTransientError


def make_agent_node(worker: WorkerSpec, services: Services) -> Any:
    """Build the node that asks the worker's model for its next move.

    The tool definitions are built on the node's first call, not when the graph compiles:
    a process resuming a thread at an approval never needs them before its first node.
    """

    @cache
    def tools() -> list[dict[str, Any]]:
        return [openai_tool(services.tools[name]) for name in worker.tools]

    def agent(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        turn = state.get("turn")
        meter = services.meter(thread_of(config), step.id, turn)
        revision = state.get("revision", 0)
        opening = task_text(
            state.get("request", ""),
            step,
            state.get("context", ""),
            state.get("feedback", []),
            revision,
            state.get("history", ""),
            state.get("done_effects") or [],
        )
        if not state.get("messages"):
            started = StepStarted(
                **where(config, turn),
                step=step.id,
                worker=worker.name,
                revision=revision,
                instruction=step.instruction,
            )
            announce(started)
        messages = [SystemMessage(worker.prompt), HumanMessage(opening), *state.get("messages", [])]
        try:
            reply = call_model(
                services.tiers, worker.tier, messages, meter, tools=tools(), purpose=worker.name
            )
        except BudgetExhausted as exc:
            return {"failure": str(exc), "failure_status": "budget_exhausted"}
        except StepFailed as exc:
            return {"failure": str(exc), "failure_status": "failed"}
        crash_point(f"worker:{worker.name}:after_model")
        made = state.get("tool_calls_made", 0)
        if reply.tool_calls and made + len(reply.tool_calls) > worker.max_tool_calls:
            cap = f"{worker.name} reached its cap of {worker.max_tool_calls} tool calls"
            meter.record("cap_reached", cap=cap)
            return {"failure": cap, "failure_status": "budget_exhausted"}
        return {"messages": [reply]}

    return agent


def make_finish_node(worker: WorkerSpec) -> Any:
    """Build the node that turns the conversation into the step's ``WorkerResult``."""

    def finish(state: WorkerState, config: RunnableConfig) -> dict[str, Any]:
        step = Step.model_validate(state["step"])
        reply = last_ai(state.get("messages", []))
        failure = state.get("failure")
        output = reply.text if reply is not None and not reply.tool_calls else ""
        redo = state.get("stale_drafts") or {}
        if redo and not failure:
            reasons = "; ".join(r for entry in redo.values() for r in entry["reasons"])
            output = f"Stopped after a human's edit, to redo {', '.join(redo)}: {reasons}"
        result = WorkerResult(
            step_id=step.id,
            worker=worker.name,
            status=state.get("failure_status", "failed") if failure else "ok",
            output=str(output) or (failure or ""),
            citations=_cited(str(output), state.get("citations", [])),
            draft=state.get("draft"),
            effects=[*(state.get("done_effects") or []), *state.get("effects", [])],
            tools_used=tools_used(state.get("messages", [])),
            declined=declined(state.get("messages", [])),
            error=failure,
            revision=state.get("revision", 0),
            redo=redo,
            resume=bool(redo) and not failure,
        )
        finished = StepFinished(
            **where(config, state.get("turn")),
            step=step.id,
            worker=worker.name,
            status=result.status,
            output=result.output[:2000],
            error=result.error,
        )
        announce(finished)
        return {"results": {step.id: result.model_dump(mode="json")}}

    return finish


def tools_used(messages: list[Any]) -> list[str]:
    """The tools whose results the step saw (a refused or invalid call is not one)."""
    return [m.name or "" for m in messages if isinstance(m, ToolMessage) and m.status != "error"]


def declined(messages: list[Any]) -> list[str]:
    """The irreversible tools a human rejected in this step."""
    return [
        m.name or ""
        for m in messages
        if isinstance(m, ToolMessage) and str(m.content).startswith(REJECTED_BY_HUMAN)
    ]


def _cited(output: str, sources: list[str]) -> list[str]:
    """Sources the answer names; all sources the tools returned if it names none."""
    unique = sorted(set(sources))
    return [s for s in unique if s in output] or unique


def build_worker_graph(
    worker: WorkerSpec, services: Services, *, checkpointer: Any = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile one worker's subgraph (no checkpointer: it inherits its parent's)."""

    def after_agent(state: WorkerState) -> Literal["act", "finish"]:
        reply = last_ai(state.get("messages", []))
        if state.get("failure") or reply is None or not reply.tool_calls:
            return "finish"
        return "act"

    def after_act(state: WorkerState) -> Literal["approval", "agent", "finish"]:
        if state.get("failure"):
            return "finish"
        return "approval" if pending_irreversible(state, services) else "agent"

    def after_execute(state: WorkerState) -> Literal["approval", "agent", "finish"]:
        if state.get("failure") or state.get("stale_drafts"):
            return "finish"  # a stale draft is redone by its writer; the step then re-runs
        # A call the backend refused has no result yet: its decider is asked again.
        return "approval" if pending_irreversible(state, services) else "agent"

    graph = StateGraph(WorkerState, input_schema=WorkerTask, output_schema=WorkerOutput)
    graph.add_node("agent", plain_node(make_agent_node(worker, services)))
    # A temporary backend failure (a mail server's 4xx, a timeout) is retried. For decided
    # irreversible calls that is safe: the retry goes through the ledger under the same key.
    transient = RetryPolicy(
        max_attempts=3,
        initial_interval=0.5,
        backoff_factor=2.0,
        max_interval=5.0,
        jitter=True,
        retry_on=ToolTransientError,
    )
    graph.add_node("act", plain_node(make_act_node(worker, services)), retry_policy=transient)
    graph.add_node("approval", plain_node(make_approval_node(services)))
    graph.add_node("execute", plain_node(make_execute_node(services)), retry_policy=transient)
    graph.add_node("finish", plain_node(make_finish_node(worker)))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", after_agent)
    graph.add_conditional_edges("act", after_act)
    graph.add_edge("approval", "execute")
    graph.add_conditional_edges("execute", after_execute)
    graph.add_edge("finish", END)
    return graph.compile(name=worker.name, checkpointer=checkpointer)
