from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tools.registry import build_tools
from tools.world import World

IRREVERSIBLE = {"issue_refund", "send_email"}


def test_registry_builds_every_tool_and_creates_no_world(tmp_path: Path) -> None:
    world = World(home=tmp_path)
    tools = build_tools(world)
    assert set(tools) == {
        "kb_search",
        "find_customer",
        "sql_query",
        "calculate",
        "draft_email",
        "issue_refund",
        "send_email",
        "file_ticket",
    }
    assert not world.db_path.exists()  # building tools never seeds a world
    for name, spec in tools.items():
        assert spec.name == name
        assert spec.reversible == (name not in IRREVERSIBLE)
        assert spec.description
        # Every irreversible tool says what makes two calls the same fact in the world.
        assert (spec.fact is not None) == (not spec.reversible)


def test_every_argument_is_described_and_extras_are_refused(tmp_path: Path) -> None:
    for spec in build_tools(World(home=tmp_path)).values():
        schema = spec.args_schema.model_json_schema()
        for field, prop in schema["properties"].items():
            assert prop.get("description"), f"{spec.name}.{field} has no description"
        with pytest.raises(ValidationError):
            spec.validate_args({"unexpected": 1})
        assert schema.get("additionalProperties") is False
