"""A node handed to LangGraph through ``plain_node`` runs as the function it wraps."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from graphs.plain_node import plain_node


class State(TypedDict, total=False):
    seen: Annotated[list[str], operator.add]


class Payload(TypedDict):
    word: str


def test_a_plain_node_gets_its_config_and_a_send_payload_with_input_schema() -> None:
    captured = {"prefix": "thread="}  # a closure value LangGraph no longer searches

    def start(state: State, config: RunnableConfig) -> dict[str, Any]:
        return {"seen": [captured["prefix"] + config["configurable"]["thread_id"]]}

    def fan(state: State) -> list[Send]:
        return [Send("echo", {"word": w}) for w in ("a", "b")]

    def echo(payload: Payload) -> dict[str, Any]:
        return {"seen": [payload["word"]]}

    graph = StateGraph(State)
    graph.add_node("start", plain_node(start))
    graph.add_node("echo", plain_node(echo), input_schema=Payload)
    graph.add_edge(START, "start")
    graph.add_conditional_edges("start", fan, ["echo"])
    graph.add_edge("echo", END)
    compiled = graph.compile()
    assert compiled.nodes["start"].subgraphs == []

    out = compiled.invoke({}, {"configurable": {"thread_id": "t1"}})
    assert out["seen"][0] == "thread=t1"
    assert sorted(out["seen"][1:]) == ["a", "b"]
