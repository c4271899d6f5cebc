"""The shape every Baton tool has, and the errors a tool may raise.

LangChain's ``BaseTool`` has no notion of reversibility or of an idempotency key, which the
approval gate and the effect ledger need; a ``ToolSpec`` carries both, and
``agents`` turns specs into the JSON schemas a chat model is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


class ToolRejected(Exception):
    """A domain rule refused the call; the worker sees the message and can respond."""


class ToolTransientError(Exception):
    """A temporary failure (timeout, busy backend); the call may be retried."""


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

    def validate_args(self, args: dict[str, Any]) -> BaseModel:
        """Validate raw arguments; raises ``pydantic.ValidationError``."""
        return self.args_schema.model_validate(args)
