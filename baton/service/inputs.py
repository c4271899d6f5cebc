"""A run's input, checked against its graph before anything is written.

Every graph's input must fit its input schema (``TypeAdapter`` of the graph's input
``TypedDict``) and name no key the graph does not take; ``messages`` is checked the way
LangGraph's ``add_messages`` reads it (``convert_to_messages``: message dicts with ``type``
or ``role``, or message objects). The orchestrator's turn must also carry a request a person
could have typed: ``request`` (1-4000 characters) or ``messages`` whose last human message
is such a text.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, convert_to_messages
from pydantic import TypeAdapter, ValidationError

from baton.errors import BadInput
from baton.inputs import checked_request
from baton.service.assistants import ORCHESTRATOR, Assistant
from baton.service.errors import ApiError, one_line, validation_message

_ADAPTERS: dict[int, TypeAdapter[Any] | None] = {}


def _adapter(schema: Any) -> TypeAdapter[Any] | None:
    key = id(schema)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = _build_adapter(schema)
    return _ADAPTERS[key]


def _build_adapter(schema: Any) -> TypeAdapter[Any] | None:
    try:
        return TypeAdapter(schema)
    except Exception:  # a schema pydantic cannot read on this Python is checked by keys only
        return None


def _keys(schema: Any) -> set[str]:
    keys = getattr(schema, "__required_keys__", set()) | getattr(schema, "__optional_keys__", set())
    return set(keys)


def _messages(raw: Any) -> list[BaseMessage]:
    if not isinstance(raw, list) or not raw:
        raise ApiError(422, "input.messages: a non-empty list of messages")
    try:
        return convert_to_messages(raw)
    except (ValueError, TypeError, NotImplementedError, KeyError) as exc:
        raise ApiError(422, one_line(f"input.messages: {exc}")) from None


def _turn_text(value: dict[str, Any]) -> None:
    if "request" not in value and "messages" not in value:
        raise ApiError(422, 'input: send {"messages": [...]} or {"request": "..."}')
    try:
        if "request" in value:
            checked_request(str(value["request"]))
        if "messages" in value:
            humans = [m for m in _messages(value["messages"]) if isinstance(m, HumanMessage)]
            if not humans:
                raise BadInput("messages: the turn needs a human message")
            checked_request(humans[-1].text)
    except BadInput as exc:
        raise ApiError(422, one_line(f"input: {exc}")) from None


def checked_input(assistant: Assistant, value: dict[str, Any] | None) -> dict[str, Any] | None:
    """``value`` if it is a valid input of the assistant's graph; 422 otherwise."""
    if value is None:
        return None
    schema = assistant.graph.builder.input_schema
    known = _keys(schema)
    extra = sorted(set(value) - known) if known else []
    if extra:
        raise ApiError(
            422,
            f"input.{extra[0]}: {assistant.graph_id} takes no such input "
            f"(it takes {', '.join(sorted(known))})",
        )
    if "messages" in value:
        _messages(value["messages"])
    adapter = _adapter(schema)
    rest = {key: item for key, item in value.items() if key != "messages"}
    if adapter is not None:
        try:
            adapter.validate_python(rest)
        except ValidationError as exc:
            raise ApiError(422, "input." + validation_message(list(exc.errors()))) from None
    if assistant.graph_id == ORCHESTRATOR:
        _turn_text(value)
    return value
