"""The offline stand-in chat model: deterministic, tool-calling, no network.

It drives every path of the sample world so the orchestration can be seen and tested with
no key. Its reply is a pure function of the messages and the tools it is given (no
counters, no iterators), so a process that resumes a thread after a crash gets exactly the
replies the dead process would have had.
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
from agents.models.offline_workers import BEHAVIOURS, Call, ToolOutcome
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


_STRUCTURED: dict[str, Callable[[Sequence[BaseMessage]], dict[str, Any]]] = {
    "Route": lambda ms: roles.triage(read.field(_task_text(ms), "Request") or _task_text(ms)),
    "Plan": lambda ms: roles.plan(read.field(_task_text(ms), "Request"), "### " in _task_text(ms)),
    "Synthesis": lambda ms: roles.synthesize(_task_text(ms)),
    "TicketFields": lambda ms: roles.extract_ticket(
        read.field(_task_text(ms), "Request") or _task_text(ms)
    ),
    "TicketSummary": lambda ms: roles.summarize_ticket(_task_text(ms)),
}


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
        task = _task_text(messages)
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
            # The salt names the step and the turn, so two steps proposing the same call in one
            # thread still get distinct ids (and distinct idempotency keys).
            salt = f"{read.field(task, 'Step')}:{len(messages)}"
            return _tool_call_message(reply.name, reply.args, reply.reason, salt)
        return AIMessage(content=reply)


def _tool_call_message(name: str, args: dict[str, Any], reason: str, salt: str = "") -> AIMessage:
    digest = hashlib.sha256(
        json.dumps([name, args, salt], sort_keys=True, default=str).encode()
    ).hexdigest()
    return AIMessage(
        content=reason, tool_calls=[{"name": name, "args": args, "id": f"call_{digest[:24]}"}]
    )
