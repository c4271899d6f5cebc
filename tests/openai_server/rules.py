"""What mainstream OpenAI-compatible servers refuse or ignore, checked on each request.

- A message whose ``content`` is null or missing (an assistant turn with tool calls
  included): HTTP 500, as llama.cpp's server answers (``Input should be a valid string``).
- ``response_format`` of type ``json_schema``: HTTP 400 (this server does not support it;
  Baton must use a forced function call).
- A tool schema with a ``maxLength`` above ``GRAMMAR_MAX_LENGTH``: HTTP 500, standing for
  llama.cpp's grammar compiler exceeding its rule limit.
- Tools sent without ``tool_choice`` ``"auto"``, ``"required"`` or a named function are
  ignored: the reply is plain text (``tools_usable`` is False).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

GRAMMAR_MAX_LENGTH = 1000


class Refused(Exception):
    """A request the server refuses: HTTP ``status`` with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check(body: dict[str, Any]) -> None:
    """Raise ``Refused`` for a request a mainstream server would refuse."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Refused(400, "messages: Field required")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("content"), str | list):
            raise Refused(500, f"messages.{index}.content: Input should be a valid string")
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        raise Refused(400, "response_format json_schema is not supported")
    for tool in body.get("tools") or []:
        parameters = tool.get("function", {}).get("parameters", {})
        for limit in _max_lengths(parameters):
            if limit > GRAMMAR_MAX_LENGTH:
                name = tool.get("function", {}).get("name")
                raise Refused(
                    500, f"grammar for tool {name}: maxLength {limit} exceeds the rule limit"
                )


def tools_usable(body: dict[str, Any]) -> bool:
    """Tools are used only when ``tool_choice`` is auto, required or names a function."""
    if not body.get("tools"):
        return False
    choice = body.get("tool_choice")
    return choice in ("auto", "required") or isinstance(choice, dict)


def forced_function(body: dict[str, Any]) -> str | None:
    """The function ``tool_choice`` names, if it names one."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        name = choice.get("function", {}).get("name")
        return str(name) if name else None
    return None


def _max_lengths(node: Any) -> Iterator[int]:
    if isinstance(node, dict):
        value = node.get("maxLength")
        if isinstance(value, int) and ("type" in node or "anyOf" in node):
            yield value
        for child in node.values():
            yield from _max_lengths(child)
    elif isinstance(node, list):
        for child in node:
            yield from _max_lengths(child)
