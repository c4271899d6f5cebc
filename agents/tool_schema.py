"""Tool specs as the OpenAI-format tool definitions chat models are given."""

from __future__ import annotations

from typing import Any

from tools.spec import ToolSpec


def openai_tool(spec: ToolSpec) -> dict[str, Any]:
    """The function-calling definition of ``spec`` (name, description, JSON schema)."""
    schema = spec.args_schema.model_json_schema()
    schema.pop("title", None)
    return {
        "type": "function",
        "function": {"name": spec.name, "description": spec.description, "parameters": schema},
    }
