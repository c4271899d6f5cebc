"""A turn's first and last nodes: take the request from the conversation, answer into it.

A thread is a conversation. A turn arrives as ``{"messages": [...]}`` (what chat UIs and
Studio send) or ``{"request": "..."}``; ``start_turn`` finds the request (a human message
the thread has not answered yet, else ``request``, which it appends to ``messages``),
starts the turn's budget and resets every per-turn field, while ``messages`` and the
records of earlier turns stay. ``respond`` appends the answer to ``messages`` as an
``AIMessage`` and keeps a record of what the turn did for the turns after it.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Overwrite

from agents.history import digest, message_text
from graphs.announce import announce, where
from state.events import TurnFinished, TurnStarted
from state.graph_state import OrchestratorState, TurnRecord
from state.views import results_of, route_of

MAX_REQUEST_CHARS = 4000
"""The longest request a turn takes (the CLI and the HTTP service refuse longer ones)."""

_FRESH: dict[str, Any] = {
    "route": None,
    "plan": Overwrite([]),
    "plan_iterations": 0,
    "planner_done": False,
    "results": Overwrite({}),
    "review_verdicts": Overwrite([]),
    "approved_drafts": Overwrite({}),
    "ticket_fields": None,
    "ticket_summary": None,
    "ticket_id": None,
    "final_answer": "",
    "answer_id": None,
    "status": "running",
    "error": None,
}
"""Every per-turn field (``state.graph_state.PER_TURN_FIELDS``) as a new turn starts it."""


def _new_human_message(state: OrchestratorState) -> tuple[int, HumanMessage] | None:
    """The last human message, with its index, if no turn has taken it yet."""
    messages = state.get("messages") or []
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, HumanMessage):
            if str(message.id) == state.get("turn_message_id"):
                return None
            return index, message
    return None


def start_turn(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
    """Resolve the turn's request, reset the per-turn fields and digest the earlier turns."""
    messages: list[AnyMessage] = list(state.get("messages") or [])
    update: dict[str, Any] = dict(_FRESH)
    turn = int(state.get("turn") or 0) + 1
    found = _new_human_message(state)
    if found is not None:
        index, human = found
        text, earlier = message_text(human).strip(), messages[:index]
    else:
        text = str(state.get("request") or "").strip()
        human = HumanMessage(content=text, id=str(uuid.uuid4()))
        earlier = messages
        if text:
            update["messages"] = [human]
    update.update(
        turn=turn,
        request=text,
        turn_message_id=str(human.id),
        history=digest(earlier, state.get("turns") or []),
    )
    if not text:
        update.update(status="failed", error="the turn has no request: send a human message")
    elif len(text) > MAX_REQUEST_CHARS:
        update.update(
            status="failed",
            error=f"the request has {len(text)} characters; the limit is {MAX_REQUEST_CHARS}",
        )
    announce(TurnStarted(**where(config, turn), request=text[:MAX_REQUEST_CHARS]))
    return update


def _effects(state: OrchestratorState) -> list[dict[str, Any]]:
    done = []
    for result in results_of(state).values():
        for effect in result.effects:
            done.append({k: effect.get(k) for k in ("tool", "args", "result")})
    return done


def respond(state: OrchestratorState, config: RunnableConfig) -> dict[str, Any]:
    """Append the turn's answer to the conversation and keep a record of the turn."""
    turn = int(state.get("turn") or 1)
    status = str(state.get("status") or "failed")
    answer = state.get("final_answer") or ""
    message = AIMessage(
        content=answer,
        id=state.get("answer_id") or str(uuid.uuid4()),
        name="baton",
        response_metadata={"baton": {"turn": turn, "status": status}},
    )
    route = route_of(state)
    record: TurnRecord = {
        "turn": turn,
        "message_id": str(state.get("turn_message_id") or ""),
        "request": str(state.get("request") or ""),
        "route": route.route if route is not None else "",
        "status": status,
        "answer": answer,
        "effects": _effects(state),
        "ticket_id": state.get("ticket_id"),
    }
    announce(TurnFinished(**where(config, turn), status=status, error=state.get("error")))
    return {"messages": [message], "turns": [record]}
