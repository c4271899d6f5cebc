"""The shape every Baton tool has, and the errors a tool may raise.

LangChain's ``BaseTool`` has no notion of reversibility, of an idempotency key or of the
fact in the world a call creates, which the approval gate and the effect ledger need; a
``ToolSpec`` carries all three, and ``agents`` turns specs into the JSON schemas a chat
model is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from state.draft import Draft


class ToolRejected(Exception):
    """A domain rule refused the call; the worker sees the message and can respond."""


class ToolTransientError(Exception):
    """A temporary failure (timeout, busy backend); the call may be retried."""


class AlreadyDone(ToolRejected):
    """The fact this call would create is already in the world; nothing was done.

    ``prior`` says what happened instead, one dict per earlier effect: when (``at``), how
    much or what (tool-specific fields), and, when Baton made it, which thread
    (``thread_id``) under which idempotency ``key``.
    """

    def __init__(self, message: str, prior: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.prior = prior


class FactInProgress(ToolRejected):
    """Another call is carrying out the same fact right now, or crashed while doing so."""


@dataclass(frozen=True)
class ToolCallContext:
    """Who is calling, and the key that makes an irreversible call exactly-once."""

    thread_id: str
    step_id: str
    worker: str
    idempotency_key: str


@dataclass(frozen=True)
class Reconciliation:
    """For a backend that cannot always tell whether an attempt it was given took effect.

    The ledger asks ``outcome_known`` after a crash left an attempt unfinished; if it is
    False, a human is asked, and ``record_sent`` records a "yes, it happened" answer.
    """

    outcome_known: Callable[[ToolCallContext], bool]
    record_sent: Callable[[Any, ToolCallContext], Any]


@dataclass(frozen=True)
class Fact:
    """What makes two calls of an irreversible tool the same fact in the world.

    The effect ledger lets one call per fact run: a second call with the same ``key`` (from
    any thread or fork) is not run and reports the first. The tool's own ``run`` re-checks
    the live data in the transaction that records the effect, for changes made outside
    Baton. ``standing`` reads what the world says about the fact now (for a refund: the
    refundable remainder), shown with the approval request; it must not write.
    """

    key: Callable[[Any], str]
    """From validated arguments to the fact's identity, e.g. ``refund of charge ch_5531_2``."""
    standing: Callable[[Any], dict[str, Any]] | None = None


@dataclass(frozen=True)
class ToolSpec:
    """A tool: validated arguments in, JSON-serialisable result out."""

    name: str
    description: str
    args_schema: type[BaseModel]
    reversible: bool
    run: Callable[[Any, ToolCallContext], Any]
    """Called with an instance of ``args_schema`` and the call context."""
    reconciliation: Reconciliation | None = None
    """None: the backend dedupes on the idempotency key, so a retry is always safe."""
    fact: Fact | None = None
    """For an irreversible tool: what makes two calls the same fact (one runs, once)."""
    as_draft: Callable[[Any], Draft | None] | None = None
    """For a tool that sends text to a customer: the text as a ``Draft``, so that text a
    human edits goes through the same review rules as the writer's drafts."""

    def validate_args(self, args: dict[str, Any]) -> BaseModel:
        """Validate raw arguments; raises ``pydantic.ValidationError``."""
        return self.args_schema.model_validate(args)
