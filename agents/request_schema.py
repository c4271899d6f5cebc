"""JSON schemas as they are sent to a model: structure kept, long length limits left out.

A schema sent as a tool's parameters (or a structured output's) is compiled into a grammar
by servers such as llama.cpp; a ``maxLength`` of a few thousand characters expands into
more rules than its compiler allows and the server process dies. The structure a model
needs (required fields, enums, item counts, patterns of short ids) stays; string length
limits stay in the pydantic models, which validate every reply and feed a violation back.
"""

from __future__ import annotations

import copy
from typing import Any

DROPPED_KEYWORDS = frozenset({"maxLength"})
"""Keywords removed from every schema sent to a model (pydantic still enforces them)."""


def portable_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``schema`` without ``DROPPED_KEYWORDS`` at any depth."""
    copied = copy.deepcopy(schema)
    _strip(copied)
    return copied


_NAME_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})
"""Keys whose value maps names to schemas: a field there may be called ``maxLength``."""


def _strip(node: Any, *, names: bool = False) -> None:
    if isinstance(node, dict):
        if not names:
            for keyword in DROPPED_KEYWORDS & node.keys():
                del node[keyword]
        for key, value in node.items():
            _strip(value, names=not names and key in _NAME_MAPS)
    elif isinstance(node, list):
        for item in node:
            _strip(item)


def portable_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-format tool definition with its parameters made portable."""
    function = dict(tool["function"])
    if "parameters" in function:
        function["parameters"] = portable_schema(function["parameters"])
    return {**tool, "function": function}
