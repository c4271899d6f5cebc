"""Tool specs as the OpenAI-format tool definitions chat models are given."""

from __future__ import annotations

from typing import Any

from agents.request_schema import portable_schema
from tools.spec import ToolSpec


def openai_tool(spec: ToolSpec) -> dict[str, Any]:
    """The function-calling definition of ``spec`` (name, description, portable JSON schema).

    Sent without ``strict``: see DESIGN.md, "Model requests".
    """
    schema = portable_schema(spec.args_schema.model_json_schema())
    schema.pop("title", None)
    return {
        "type": "function",
        "function": {"name": spec.name, "description": spec.description, "parameters": schema},
    }
