"""What a stand-in worker sees and says: the tool results so far, and its next call.

Shared by the worker behaviours (``agents.models.offline_workers``) and the stand-in
model that feeds them (``agents.models.offline``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolOutcome:
    """One tool result seen in the conversation."""

    name: str
    args: dict[str, Any]
    content: str
    ok: bool


@dataclass(frozen=True)
class Call:
    """The next tool call the stand-in makes."""

    name: str
    args: dict[str, Any]
    reason: str


Reply = Call | str


def last(outcomes: list[ToolOutcome], name: str) -> ToolOutcome | None:
    """The latest result of tool ``name``, if it ran."""
    found = [o for o in outcomes if o.name == name]
    return found[-1] if found else None


def parse_json(content: str) -> Any:
    """A tool result's JSON, or None when it is not JSON."""
    try:
        return json.loads(content)
    except json.JSONDecodeError:
        return None
