"""The effect ledger's store: one row per tool call, under the call's idempotency key.

``tools.ledger`` decides what a call does (run at most once, each fact once); this is
where its rows live. Each row holds the call (thread, step, worker, tool, arguments), the
fact it makes in the world, its status (``started``, ``done``, ``failed``) and what came
of it (result or error). ``claim`` is the one write that must be atomic: it checks the
thread lease's fencing token, replays a done key, finds the earlier call holding the fact
and records the call as started, all in one transaction, so no two keys run one fact and
a holder whose lease was taken over records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from persistence.leases import Fence

EffectStatus = Literal["started", "done", "failed"]
"""started (recorded before the tool runs; stays so if the outcome is not known), done (the
result recorded), failed (the tool refused: the fact is not held)."""

Holder = dict[str, Any]
"""An earlier call holding a fact, as ``AlreadyDone`` and the approval prompt show it:
``thread_id``, ``key``, ``tool``, ``status``, ``at`` and the decoded ``result``."""

EffectRow = dict[str, Any]
"""One recorded call as ``effects_for`` gives it: every column but ``args_json`` and
``result_json``, which come decoded as ``args`` and ``result``."""


@dataclass(frozen=True)
class EffectCall:
    """A call about to run, as ``claim`` records it."""

    key: str
    thread_id: str
    step_id: str
    worker: str
    tool: str
    args_json: str
    fact: str | None
    """What the call makes in the world (``tools.spec.Fact``); None if the tool names none."""


@dataclass(frozen=True)
class Replayed:
    """What ``claim`` gives for a key already done: its recorded result, decoded."""

    result: Any


class LedgerStore(Protocol):
    """Where the effect ledger's rows live."""

    def claim(self, call: EffectCall, fence: Fence | None) -> Replayed | Holder | None:
        """Record ``call`` as started and claim its fact, in one transaction.

        The transaction first checks ``fence`` (``FencedOut``, and nothing recorded, if its
        lease was taken over). Gives the recorded result of a done key, the earlier call
        (another key) holding the fact, or None once the call is recorded as started.
        """

    def holder(self, fact: str, key: str) -> Holder | None:
        """The earliest other call that did or is doing ``fact`` (a done one first)."""

    def threads_of(self, keys: list[str]) -> dict[str, str]:
        """The thread each of these keys was recorded under (keys not recorded are left out)."""

    def outcome_unknown(self, key: str) -> bool:
        """Whether the key's call started and nothing came back (no result, no error)."""

    def finish(
        self,
        key: str,
        status: EffectStatus,
        *,
        result_json: str | None = None,
        error: str | None = None,
    ) -> str | None:
        """Record how the call ended (never downgrading a done row); the result recorded."""

    def effects_for(self, thread_id: str) -> list[EffectRow]:
        """Every recorded call of a thread, oldest first."""
