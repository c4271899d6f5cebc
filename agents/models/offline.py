"""The offline stand-in chat model: deterministic, tool-calling, no network.

It drives every path of the sample world so the orchestration can be seen and tested with
no key. Its reply is a pure function of the messages and the tools it is given (no
counters, no iterators), so a process that resumes a thread after a crash gets exactly the
replies the dead process would have had. It reads the digest of the conversation's earlier
turns that the task carries, to resolve what a follow-up refers to. Streamed (LangGraph's
``messages`` mode), a text reply arrives in chunks of a few words, as a real model's does
(``ToolBindingChatModel._stream``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agents.models import offline_reading as read
from agents.models import offline_roles as roles
from agents.models.offline_recall import recall
from agents.models.offline_turns import Call, ToolOutcome
from agents.models.offline_workers import BEHAVIOURS
from agents.models.tool_binding import ToolBindingChatModel

OFFLINE_MODEL_NAME = "baton-offline-stand-in"


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.text, str) else str(message.content)


def _task_text(messages: Sequence[BaseMessage]) -> str:
    humans = [_text(m) for m in messages if isinstance(m, HumanMessage)]
    return humans[0] if humans else ""


def _outcomes(messages: Sequence[BaseMessage]) -> list[ToolOutcome]:
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    outcomes = []
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                calls[call["id"] or ""] = (call["name"], call["args"])
        elif isinstance(message, ToolMessage):
            name, args = calls.get(message.tool_call_id, (message.name or "", {}))
            outcomes.append(ToolOutcome(name, args, _text(message), message.status != "error"))
    return outcomes


def _request(messages: Sequence[BaseMessage]) -> tuple[str, str, str]:
    """The task's own text (without the conversation digest), its request, and the digest."""
    own, history = read.split_history(_task_text(messages))
    return own, read.field(own, "Request") or own, history


def _route(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    _, request, history = _request(messages)
    return roles.triage(request, history)


def _plan(messages: Sequence[BaseMessage]) -> dict[str, Any]:
    own, request, history = _request(messages)
    return roles.plan(request, "### " in own, history)


_STRUCTURED: dict[str, Callable[[Sequence[BaseMessage]], dict[str, Any]]] = {
    "Route": _route,
    "Plan": _plan,
    "TicketFields": lambda ms: roles.extract_ticket(
        read.field(_task_text(ms), "Request") or _task_text(ms)
    ),
    "TicketSummary": lambda ms: roles.summarize_ticket(_task_text(ms)),
}
_TEXT_ROLES: dict[str, Callable[[str], str]] = {
    "synthesizer": roles.synthesize,
    "recall": recall,
}
"""Roles answered in plain text (no tool), read from the task's ``Role:`` line."""


class OfflineChatModel(ToolBindingChatModel):
    """A deterministic stand-in for a chat model, announced as such wherever it runs."""

    tier: str = "fast"
    model_name: str = OFFLINE_MODEL_NAME

    @property
    def _llm_type(self) -> str:
        return OFFLINE_MODEL_NAME

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        names = [t["function"]["name"] for t in kwargs.get("tools") or []]
        message = self._reply(messages, names)
        chars_in = sum(len(_text(m)) for m in messages)
        chars_out = len(_text(message)) + len(json.dumps([c["args"] for c in message.tool_calls]))
        message.usage_metadata = {
            "input_tokens": chars_in // 4,
            "output_tokens": chars_out // 4,
            "total_tokens": (chars_in + chars_out) // 4,
        }
        message.response_metadata = {"model_name": OFFLINE_MODEL_NAME, "tier": self.tier}
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _reply(self, messages: Sequence[BaseMessage], tool_names: list[str]) -> AIMessage:
        structured = next((n for n in tool_names if n in _STRUCTURED), None)
        if structured is not None:
            return _tool_call_message(structured, _STRUCTURED[structured](messages), "")
        full = _task_text(messages)
        text_role = _TEXT_ROLES.get(read.field(full, "Role"))
        if text_role is not None and not tool_names:
            return AIMessage(content=text_role(full))
        task, _ = read.split_history(full)
        worker = read.field(task, "Worker")
        behaviour = BEHAVIOURS.get(worker)
        if behaviour is None:
            return AIMessage(
                content=f"[{OFFLINE_MODEL_NAME}] has no behaviour for worker {worker!r}; "
                "configure a real model to run it."
            )
        reply = behaviour(task, _outcomes(messages))
        if isinstance(reply, Call):
            if reply.name not in tool_names:
                return AIMessage(content=f"Tool {reply.name} is not available to this worker.")
            # The salt names the step, the model turn and the whole task (the conversation's
            # turn is in it), so two steps or two turns proposing the same call in one thread
            # still get distinct ids (and distinct idempotency keys).
            turn = hashlib.sha256(full.encode()).hexdigest()[:12]
            salt = f"{read.field(task, 'Step')}:{len(messages)}:{turn}"
            return _tool_call_message(reply.name, reply.args, reply.reason, salt)
        return AIMessage(content=reply)


def _tool_call_message(name: str, args: dict[str, Any], reason: str, salt: str = "") -> AIMessage:
    digest = hashlib.sha256(
        json.dumps([name, args, salt], sort_keys=True, default=str).encode()
    ).hexdigest()
    return AIMessage(
        content=reason, tool_calls=[{"name": name, "args": args, "id": f"call_{digest[:24]}"}]
    )
