"""What the effect ledger works with, apart from its tables: keys, outcomes, earlier effects.

No SQL here (that is all in ``persistence.ledger_sql``): the key a call runs under, the
outcome the ledger hands back, and the one line that tells a person about an effect made
before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any


def idempotency_key(thread_id: str, tool_call_id: str) -> str:
    """Derive the key for one tool call in one thread: 32 hex chars of sha256."""
    return hashlib.sha256(f"{thread_id}:{tool_call_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LedgerOutcome:
    """A tool call's result, and whether it came from the ledger instead of the tool."""

    result: Any
    replayed: bool


def describe_prior(prior: dict[str, Any]) -> str:
    """One line on an earlier effect: who (a thread, or outside Baton), when, what it did."""
    who = f"thread {prior['thread_id']}" if prior.get("thread_id") else "outside Baton"
    what = {k: v for k, v in prior.items() if k not in ("thread_id", "key", "at", "tool")}
    detail = json.dumps(what.get("result", what), sort_keys=True, default=str)
    return f"{who} at {prior.get('at') or '?'}: {detail[:300]}"
