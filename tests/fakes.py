"""Test doubles for the models, and only for the models.

``ScriptedChatModel`` answers each call with a handler chosen by what is being asked: the
structured schema it is forced to call (``"Route"``, ``"Plan"``, ``"TicketFields"``, ...),
the worker named in the task (``"analyst"``, ``"operator"``, ...), or the text role
(``"synthesizer"``, ``"recall"``). Anything without a
handler falls through to the real offline stand-in. Every handler is a pure function of
the conversation (never an iterator), so a run resumed from a checkpoint, even by a new
model object, gets the replies the first run would have had.

Every call is logged to a shared ``CallLog`` so tests can count model calls per role.
``RecordingMeter`` stands in for the run budget in agent-level tests that run no graph.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from agents.models import offline_reading as read
from agents.models.offline import OfflineChatModel
from agents.models.tiers import ModelTiers
from agents.models.tool_binding import ToolBindingChatModel
from state.usage import BudgetExhausted


def _text(message: BaseMessage) -> str:
    return message.text if isinstance(message.text, str) else str(message.content)


@dataclass(frozen=True)
class Turn:
    """One model call as a handler sees it."""

    key: str
    """The schema name for structured calls, else the worker name from the task."""
    tier: str
    messages: list[BaseMessage]
    tool_names: list[str]

    @property
    def task(self) -> str:
        """The first human message (the worker's task, or the structured request)."""
        humans = [_text(m) for m in self.messages if isinstance(m, HumanMessage)]
        return humans[0] if humans else ""

    def field(self, label: str) -> str:
        """The ``label: value`` line of the task."""
        return read.field(self.task, label)

    @property
    def tool_results(self) -> list[ToolMessage]:
        """Tool results seen so far, oldest first."""
        return [m for m in self.messages if isinstance(m, ToolMessage)]

    @property
    def later_texts(self) -> list[str]:
        """Text of every message after the task (feedback, tool errors, ...)."""
        opening = next((i for i, m in enumerate(self.messages) if isinstance(m, HumanMessage)), 0)
        return [_text(m) for m in self.messages[opening + 1 :]]

    @property
    def fingerprint(self) -> str:
        """A digest of the whole conversation: equal fingerprints mean a repeated call."""
        blob = json.dumps([[type(m).__name__, _text(m)] for m in self.messages], ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


Handler = Callable[[Turn], "AIMessage | str | dict[str, Any]"]


@dataclass
class CallLog:
    """Every call made to the scripted models of one test, across tiers and graphs."""

    turns: list[Turn] = field(default_factory=list)

    def count(self, key: str) -> int:
        """How many calls were made for ``key``."""
        return sum(1 for t in self.turns if t.key == key)

    def counts(self) -> Counter[str]:
        """Calls per key."""
        return Counter(t.key for t in self.turns)

    def tasks(self, key: str) -> list[str]:
        """The task text of each call for ``key``."""
        return [t.task for t in self.turns if t.key == key]

    def repeated(self) -> list[tuple[str, str]]:
        """(key, fingerprint) of every conversation that was sent more than once."""
        seen = Counter((t.key, t.fingerprint) for t in self.turns)
        return [k for k, n in seen.items() if n > 1]


def tool_call(name: str, args: dict[str, Any], reason: str = "", salt: object = "") -> AIMessage:
    """A reply calling one tool, with an id derived from its content (stable on replay)."""
    digest = hashlib.sha256(
        json.dumps([name, args, salt], sort_keys=True, default=str).encode()
    ).hexdigest()
    return AIMessage(
        content=reason, tool_calls=[{"name": name, "args": args, "id": f"call_{digest[:20]}"}]
    )


class ScriptedChatModel(ToolBindingChatModel):
    """A chat model whose replies come from per-role handlers (see module docstring)."""

    handlers: dict[str, Any]
    log: Any
    tier: str = "fast"
    model_name: str = "scripted"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        tools = kwargs.get("tools") or []
        names = [t["function"]["name"] for t in tools]
        choice = kwargs.get("tool_choice")
        humans = [_text(m) for m in messages if isinstance(m, HumanMessage)]
        own = read.split_history(humans[0])[0] if humans else ""
        worker = read.field(own, "Worker") or read.field(own, "Role")
        key = choice if isinstance(choice, str) and choice in names else worker
        turn = Turn(key=key, tier=self.tier, messages=list(messages), tool_names=names)
        self.log.turns.append(turn)
        handler = self.handlers.get(key)
        if handler is None:
            return OfflineChatModel(tier=self.tier)._generate(messages, stop, None, **kwargs)
        reply = handler(turn)
        if isinstance(reply, str):
            message = AIMessage(content=reply)
        elif isinstance(reply, dict):
            message = tool_call(key, reply, salt=len(messages))
        else:
            message = reply
        message.usage_metadata = {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15}
        return ChatResult(generations=[ChatGeneration(message=message)])


def scripted_tiers(
    handlers: Mapping[str, Handler] | None = None,
    *,
    fast: Mapping[str, Handler] | None = None,
    strong: Mapping[str, Handler] | None = None,
    log: CallLog | None = None,
) -> tuple[ModelTiers, CallLog]:
    """Both tiers scripted with ``handlers`` (plus per-tier extras), sharing one log."""
    log = log if log is not None else CallLog()
    base = dict(handlers or {})
    return (
        ModelTiers(
            fast=ScriptedChatModel(
                handlers={**base, **(fast or {})}, log=log, tier="fast", model_name="fake-fast"
            ),
            strong=ScriptedChatModel(
                handlers={**base, **(strong or {})},
                log=log,
                tier="strong",
                model_name="fake-strong",
            ),
            offline=False,
        ),
        log,
    )


@dataclass
class RecordingMeter:
    """Records every event; refuses model calls beyond ``model_calls`` if given."""

    model_calls: int | None = None
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    charged_model_calls: int = 0
    charged_tool_calls: int = 0
    tokens: int = 0

    def charge_model_call(self) -> None:
        if self.model_calls is not None and self.charged_model_calls >= self.model_calls:
            raise BudgetExhausted(f"budget exhausted: {self.model_calls} model calls")
        self.charged_model_calls += 1

    def charge_tool_call(self, once_key: str | None = None) -> None:
        self.charged_tool_calls += 1

    def add_tokens(self, input_tokens: int, output_tokens: int) -> None:
        self.tokens += input_tokens + output_tokens

    def record(self, kind: str, **data: Any) -> None:
        self.events.append((kind, data))

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [data for k, data in self.events if k == kind]
