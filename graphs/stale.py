"""Edits that make other steps stale: a human changed a value a draft already quotes.

When a decision edits a call (a refund of 100.00 instead of 129.00), the drafts the step
was given (the email announcing 129.00) no longer say what was done. The step stops after
the edited call; the orchestrator sends each stale draft back to its writer with the
change, has it reviewed again, and then runs the step on with the new draft and the
effects it already made (``graphs.flow``), so the next approval shows the new text.
"""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any

from state.draft import Draft

MAX_VALUE_CHARS = 40
"""Longer arguments are texts, not values another step could quote (a rewritten email body
is the edit itself, not something a draft repeats)."""


def changed_values(original: dict[str, Any], edited: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Argument -> (old, new) for every value (a short scalar) the edit changed."""
    return {
        key: (old, edited.get(key))
        for key, old in original.items()
        if isinstance(old, str | int | float)
        and len(str(old)) <= MAX_VALUE_CHARS
        and "\n" not in str(old)
        and edited.get(key) != old
    }


def _spellings(value: Any) -> set[str]:
    """How a value appears in text: as given, and as an amount with two decimals."""
    text = str(value).strip()
    found = {text} if len(text) >= 2 else set()
    with suppress(InvalidOperation, ValueError):  # not a number: only its own spelling
        found.add(f"{Decimal(text):.2f}")
    return found


def quotes(text: str, changes: dict[str, tuple[Any, Any]]) -> list[str]:
    """The changed arguments whose old value ``text`` still quotes."""
    return [key for key, (old, _) in changes.items() if any(s in text for s in _spellings(old))]


def stale_drafts(
    drafts: dict[str, Any], tool: str, step_id: str, changes: dict[str, tuple[Any, Any]]
) -> dict[str, dict[str, Any]]:
    """Each draft quoting an old value: the revision it was, and what its writer is told."""
    stale: dict[str, dict[str, Any]] = {}
    for dep, raw in drafts.items():
        draft = Draft.model_validate({k: v for k, v in raw.items() if k != "revision"})
        keys = quotes(f"{draft.subject}\n{draft.body}", changes)
        if keys:
            reasons = [
                f"a human changed {key} from {changes[key][0]} to {changes[key][1]} in "
                f"{tool} (step {step_id}); the draft must say {changes[key][1]}"
                for key in keys
            ]
            stale[dep] = {"revision": int(raw.get("revision", 0)), "reasons": reasons}
    return stale
