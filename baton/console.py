"""Writing to the terminal: progress lines flushed as they happen, JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import Any


def say(line: str = "") -> None:
    """Print one line to stdout now (a watcher or a killed process sees every line)."""
    print(line, flush=True)


def warn(line: str) -> None:
    """Print one line to stderr."""
    print(line, file=sys.stderr, flush=True)


def print_json(value: Any) -> None:
    """Print ``value`` as one JSON document."""
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str), flush=True)


def first_line(text: str, limit: int = 120) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def compact_json(value: Any, limit: int = 400) -> str:
    """``value`` as one line of JSON, cut to ``limit`` characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field(obj: Any, name: str, default: Any = None) -> Any:
    """An attribute of a pydantic model or a key of a dict (state can hold either)."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)
