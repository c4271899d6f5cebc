"""The orchestrator graph: one turn of a conversation.

start_turn ─► triage ─► answer | ticket chain | planner + parallel workers | recall
─► finish ─► respond (the answer appended to ``messages``).
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Send

from agents.models.tiers import ModelTiers
from agents.workers import all_workers
from graphs import orchestrator_nodes as nodes
from graphs import ticket_chain
from graphs.finish import finish
from graphs.flow import next_moves
from graphs.plain_node import plain_node
from graphs.services import Services, build_services
from graphs.settings import Settings
from graphs.turn import respond, start_turn
from graphs.worker import build_worker_graph
from state.graph_state import InputState, OrchestratorState, OutputState, ReviewTask
from state.views import route_of


def build_orchestrator(
    *,
    checkpointer: Any = None,
    settings: Settings | None = None,
    tiers: ModelTiers | None = None,
    services: Services | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the orchestrator over every registered worker.

    Pass a checkpointer (``graphs.checkpointer.open_checkpointer``) for durable runs; leave
    it out for ``langgraph dev``, which brings its own. ``tiers`` replaces the models (tests).
    """
    services = services or build_services(settings or Settings(), tiers)
    workers = all_workers()

    def after_start(state: OrchestratorState) -> Literal["triage", "finish"]:
        return "finish" if state.get("status") == "failed" else "triage"

    def after_triage(
        state: OrchestratorState,
    ) -> Literal["answer_plan", "extract", "plan", "synthesize", "finish"]:
        route = route_of(state)
        if state.get("status") in ("failed", "budget_exhausted", "unresolved") or route is None:
            return "finish"
        return {  # type: ignore[return-value]
            "answer": "answer_plan",
            "ticket": "extract",
            "orchestrate": "plan",
            "recall": "synthesize",
        }[route.route]

    def dispatch(state: OrchestratorState) -> list[Send] | str:
        return next_moves(state, services.settings)

    def chain_step(next_node: str) -> Any:
        def route(state: OrchestratorState) -> str:
            return "finish" if state.get("status") in ("failed", "budget_exhausted") else next_node

        return route

    graph = StateGraph(OrchestratorState, input_schema=InputState, output_schema=OutputState)
    graph.add_node("start_turn", plain_node(start_turn))
    graph.add_node("triage", plain_node(nodes.make_triage_node(services)))
    graph.add_node("answer_plan", plain_node(nodes.answer_plan))
    graph.add_node("plan", plain_node(nodes.make_plan_node(services)))
    graph.add_node("review", plain_node(nodes.make_review_node(services)), input_schema=ReviewTask)
    graph.add_node("collect", plain_node(nodes.make_collect_node(services)))
    graph.add_node("synthesize", plain_node(nodes.make_synthesize_node(services)))
    graph.add_node("finish", plain_node(finish))
    graph.add_node("respond", plain_node(respond))
    graph.add_node("extract", plain_node(ticket_chain.make_extract_node(services)))
    graph.add_node("summarize", plain_node(ticket_chain.make_summarize_node(services)))
    graph.add_node("file_ticket", plain_node(ticket_chain.make_file_ticket_node(services)))
    for worker in workers.values():
        graph.add_node(worker.name, build_worker_graph(worker, services))
        graph.add_edge(worker.name, "collect")

    destinations = [*workers, "review", "plan", "synthesize", "finish"]
    graph.add_edge(START, "start_turn")
    graph.add_conditional_edges("start_turn", after_start)
    graph.add_conditional_edges("triage", after_triage)
    graph.add_conditional_edges("answer_plan", dispatch, destinations)
    graph.add_conditional_edges("plan", dispatch, destinations)
    graph.add_conditional_edges("collect", dispatch, destinations)
    graph.add_edge("review", "collect")
    graph.add_conditional_edges("extract", chain_step("summarize"), ["summarize", "finish"])
    graph.add_conditional_edges("summarize", chain_step("file_ticket"), ["file_ticket", "finish"])
    graph.add_edge("file_ticket", "finish")
    graph.add_edge("synthesize", "finish")
    graph.add_edge("finish", "respond")
    graph.add_edge("respond", END)
    compiled = graph.compile(checkpointer=checkpointer, name="baton")
    return compiled.with_config(
        recursion_limit=services.settings.recursion_limit,
        max_concurrency=services.settings.max_concurrency,
    )
