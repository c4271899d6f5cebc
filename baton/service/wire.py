"""JSON as the API sends it: orjson plus what graph state and stream chunks hold.

LangChain messages and Baton's pydantic models are dumped as their JSON fields, LangGraph's
``Interrupt`` (a dataclass) as ``{"value", "id"}``, ``Send`` as ``{"node", "args"}``,
exceptions as ``{"error", "message"}``, and money (``Decimal``) as a string so no amount
loses a digit. Anything else unknown becomes its ``str``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson
from langgraph.types import Interrupt, Send
from pydantic import BaseModel
from starlette.responses import Response

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_PASSTHROUGH_DATACLASS


def _default(obj: Any) -> Any:
    if isinstance(obj, Interrupt):
        found = {"value": obj.value, "id": obj.id}
        if getattr(obj, "response_schema", None) is not None:
            found["response_schema"] = obj.response_schema
        return found
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, Send):
        return {"node": obj.node, "args": obj.arg}
    if isinstance(obj, BaseException):
        return {"error": type(obj).__name__, "message": str(obj)}
    if isinstance(obj, set | frozenset):
        return sorted(obj, key=str)
    if isinstance(obj, bytes | bytearray):
        return base64.b64encode(obj).decode()
    if hasattr(obj, "_asdict"):
        return obj._asdict()
    return str(obj)


def dumps(value: Any) -> bytes:
    """``value`` as compact JSON bytes (integers beyond 64 bits too: JSON allows them)."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise
        text = json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)
        return text.encode()


def loads(data: bytes | str) -> Any:
    """Parse JSON."""
    return orjson.loads(data)


def iso(timestamp: float) -> str:
    """A Unix time as ISO 8601 with the UTC offset."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


class JsonResponse(Response):
    """A JSON response rendered with ``dumps``."""

    media_type = "application/json"

    def __init__(
        self, content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(content, status_code=status_code, headers=headers)

    def render(self, content: Any) -> bytes:
        """Serialise the content."""
        return dumps(content)
