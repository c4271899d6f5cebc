"""JSON as the API writes it, and SSE framing."""

from __future__ import annotations

from decimal import Decimal

from langchain_core.messages import HumanMessage
from langgraph.types import Interrupt, Send

from baton.service import wire
from baton.service.sse import encode, last_event_id
from persistence.stream_log import StreamEvent
from state.route import Route


def test_state_values_serialise() -> None:
    value = {
        "route": Route(route="answer", reason="a question"),
        "amount": Decimal("129.00"),
        "interrupt": Interrupt(value={"a": 1}, id="i1"),
        "send": Send("operator", {"step": 1}),
        "message": HumanMessage(content="hi", id="m1"),
        "error": ValueError("boom"),
        "huge": 2**70,
    }
    data = wire.loads(wire.dumps(value))
    assert data["route"] == {"route": "answer", "reason": "a question"}
    assert data["amount"] == "129.00"
    assert data["interrupt"] == {"value": {"a": 1}, "id": "i1"}
    assert data["send"] == {"node": "operator", "args": {"step": 1}}
    assert data["message"]["type"] == "human" and data["message"]["content"] == "hi"
    assert data["error"] == {"error": "ValueError", "message": "boom"}
    assert data["huge"] == 2**70


def test_sse_framing_and_last_event_id() -> None:
    framed = encode(StreamEvent("r1", 7, "updates|operator:1", b'{"a":"x\\ny"}'))
    assert framed == b'event: updates|operator:1\r\ndata: {"a":"x\\ny"}\r\nid: 7\r\n\r\n'
    assert last_event_id(None) == 0 and last_event_id("12") == 12
    assert last_event_id("-1") == 0 and last_event_id("abc") == 0
