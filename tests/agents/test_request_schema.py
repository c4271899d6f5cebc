"""Schemas sent to a model: length limits dropped at any depth, structure and names kept."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agents.request_schema import portable_schema


class Part(BaseModel):
    maxLength: int = Field(description="A field that happens to carry the keyword's name.")
    text: str = Field(min_length=1, max_length=5000)


class Whole(BaseModel):
    kind: str = Field(pattern="^(a|b)$", max_length=1)
    parts: list[Part] = Field(min_length=1, max_length=4)
    note: str | None = Field(default=None, max_length=3000)


def test_length_limits_go_but_structure_stays() -> None:
    original = Whole.model_json_schema()
    sent = portable_schema(original)
    assert "maxLength" not in repr(_keywords(sent))
    part = sent["$defs"]["Part"]
    assert set(part["properties"]) == {"maxLength", "text"}  # a field named maxLength stays
    assert part["required"] == ["maxLength", "text"]
    assert part["properties"]["text"]["minLength"] == 1
    assert sent["properties"]["parts"]["minItems"] == 1
    assert sent["properties"]["parts"]["maxItems"] == 4
    assert sent["properties"]["kind"]["pattern"] == "^(a|b)$"
    assert original["properties"]["kind"]["maxLength"] == 1  # the model's own schema is untouched


def _keywords(node: Any, names: bool = False) -> list[str]:
    """Every keyword used in ``node`` (property names excluded)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if not names:
                found.append(key)
            found += _keywords(value, names=not names and key in ("properties", "$defs"))
    elif isinstance(node, list):
        for item in node:
            found += _keywords(item)
    return found
