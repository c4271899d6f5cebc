"""LangGraph stream items become the events LangGraph's server would send."""

from __future__ import annotations

from langchain_core.messages import AIMessage, AIMessageChunk
from langgraph.types import Interrupt

from baton.service.chunks import ChunkMapper, graph_modes

META = {"langgraph_node": "synthesize"}


def test_graph_modes_always_carry_interrupts() -> None:
    assert graph_modes(["messages-tuple", "custom"]) == ["custom", "messages", "updates"]
    assert graph_modes(["values"]) == ["values"]
    assert graph_modes(["updates", "debug"]) == ["debug", "updates"]


def test_subgraph_events_are_named_by_namespace() -> None:
    mapper = ChunkMapper(["updates", "custom"], subgraphs=True)
    assert list(mapper.events(((), "updates", {"plan": 1}))) == [("updates", {"plan": 1})]
    inner = (("operator:abc", "act:1"), "custom", {"v": 1})
    assert list(mapper.events(inner)) == [("custom|operator:abc|act:1", {"v": 1})]


def test_interrupts_reach_a_client_that_asked_for_neither_values_nor_updates() -> None:
    mapper = ChunkMapper(["custom"], subgraphs=False)
    waiting = {"__interrupt__": (Interrupt(value={"type": "tool_approval"}, id="i1"),)}
    assert list(mapper.events(("updates", waiting))) == [("values", waiting)]
    assert list(mapper.events(("updates", {"triage": {}}))) == []


def test_messages_tuple_and_legacy_messages() -> None:
    mapper = ChunkMapper(["messages-tuple", "messages"], subgraphs=False)
    first = AIMessageChunk(content="Hel", id="m1")
    second = AIMessageChunk(content="lo", id="m1")
    events = list(mapper.events(("messages", (first, META))))
    assert events[0] == ("messages", [first, META])
    assert events[1] == ("messages/metadata", {"m1": {"metadata": META}})
    assert events[2][0] == "messages/partial" and events[2][1][0].content == "Hel"
    events = list(mapper.events(("messages", (second, META))))
    assert [name for name, _ in events] == ["messages", "messages/partial"]
    assert events[1][1][0].content == "Hello"
    whole = AIMessage(content="Done.", id="m2")
    events = list(mapper.events(("messages", (whole, META))))
    assert events[-1] == ("messages/complete", [whole])
