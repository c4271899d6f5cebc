"""A chat model that answers with garbage or fails, by a script of faults, then behaves.

``FaultyChatModel`` takes the next fault from a shared ``FaultScript`` on each call and
turns it into what a broken provider or a confused model produces: invalid JSON, the
wrong shape, missing or extra fields, unknown workers, cyclic or oversized plans, calls to
tools that do not exist or with invalid arguments, empty and huge replies, transport
errors, timeouts and rate limits. When the script is used up it answers like the offline
stand-in, so every run can still finish.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agents.models.offline import OfflineChatModel
from agents.models.tiers import ModelTiers
from agents.models.tool_binding import ToolBindingChatModel

FAULTS = (
    "invalid_json",
    "wrong_shape",
    "missing_fields",
    "extra_fields",
    "unknown_worker",
    "cyclic_plan",
    "oversized_plan",
    "unknown_tool",
    "invalid_tool_args",
    "empty",
    "huge",
    "server_error",
    "bad_request",
    "timeout",
    "rate_limit",
)
_REQUEST = httpx.Request("POST", "http://provider.invalid/v1/chat/completions")


@dataclass
class FaultScript:
    """The faults still to inject, in order, and how many of each were injected."""

    pending: list[str]
    injected: Counter[str] = field(default_factory=Counter)

    def next(self) -> str | None:
        """The next fault, or None once the script is used up."""
        if not self.pending:
            return None
        fault = self.pending.pop(0)
        self.injected[fault] += 1
        return fault


def _call(name: str, args: Any, salt: int) -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": name, "args": args, "id": f"f{salt}"}])


def _plan(steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"steps": steps, "done": False}


def garbage(fault: str, forced: str | None, valid: AIMessage, salt: int) -> AIMessage:
    """The reply for ``fault``; ``forced`` is the structured schema asked for, if any."""
    valid_args = valid.tool_calls[0]["args"] if valid.tool_calls else {}
    name = forced or (valid.tool_calls[0]["name"] if valid.tool_calls else "kb_search")
    step = {"id": "a", "worker": "researcher", "instruction": "look it up"}
    replies: dict[str, AIMessage] = {
        "invalid_json": AIMessage(content='{"route": "orchestrate", "reason": '),
        "wrong_shape": _call(name, {"items": [1, 2, 3]}, salt),
        "missing_fields": _call(name, {}, salt),
        "extra_fields": _call(name, {**valid_args, "surprise": True}, salt),
        "unknown_worker": _call(name, _plan([{**step, "worker": "hacker"}]), salt),
        "cyclic_plan": _call(
            name,
            _plan([{**step, "depends_on": ["b"]}, {**step, "id": "b", "depends_on": ["a"]}]),
            salt,
        ),
        "oversized_plan": _call(name, _plan([{**step, "id": f"s{i}"} for i in range(60)]), salt),
        "unknown_tool": _call("delete_all_customers", {"confirm": True}, salt),
        "invalid_tool_args": _call(name, {"amount": "-5", "to": 42}, salt),
        "empty": AIMessage(content=""),
        "huge": AIMessage(content="lorem ipsum " * 20_000),
    }
    return replies[fault]


def _raise(fault: str) -> None:
    if fault == "server_error":
        raise openai.InternalServerError(
            "boom", response=httpx.Response(500, request=_REQUEST), body=None
        )
    if fault == "bad_request":
        raise openai.BadRequestError(
            "context too long", response=httpx.Response(400, request=_REQUEST), body=None
        )
    if fault == "timeout":
        raise openai.APITimeoutError(request=_REQUEST)
    if fault == "rate_limit":
        raise openai.RateLimitError(
            "slow down", response=httpx.Response(429, request=_REQUEST), body=None
        )


class FaultyChatModel(ToolBindingChatModel):
    """Injects the script's faults, otherwise answers like the offline stand-in."""

    script: Any
    tier: str = "fast"
    model_name: str = "faulty"

    @property
    def _llm_type(self) -> str:
        return "faulty"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        offline = OfflineChatModel(tier=self.tier)._generate(messages, stop, None, **kwargs)
        fault = self.script.next()
        if fault is None:
            return offline
        _raise(fault)
        valid = offline.generations[0].message
        assert isinstance(valid, AIMessage)
        choice = kwargs.get("tool_choice")
        reply = garbage(fault, choice if isinstance(choice, str) else None, valid, len(messages))
        reply.usage_metadata = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        return ChatResult(generations=[ChatGeneration(message=reply)])


def faulty_tiers(faults: list[str]) -> tuple[ModelTiers, FaultScript]:
    """Both tiers drawing from one script of faults."""
    script = FaultScript(list(faults))
    return (
        ModelTiers(
            fast=FaultyChatModel(script=script, tier="fast"),
            strong=FaultyChatModel(script=script, tier="strong"),
            offline=False,
        ),
        script,
    )
