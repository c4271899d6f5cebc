from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from tools.kb_search import build_kb_search
from tools.spec import ToolCallContext
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


def test_hits_carry_a_doc_section_citation(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    spec = build_kb_search(world)
    hits = spec.run(spec.validate_args({"query": "duplicate charge", "k": 3}), make_ctx())
    assert 1 <= len(hits) <= 3
    assert hits[0]["cite"] == "refund-policy#Duplicate charges"
    assert set(hits[0]) == {"doc", "section", "snippet", "score", "cite"}
    assert spec.reversible


def test_args_are_strict(tmp_path: Path) -> None:
    schema = build_kb_search(World(home=tmp_path)).args_schema
    with pytest.raises(ValidationError):
        schema.model_validate({"query": "x", "limit": 3})
    with pytest.raises(ValidationError):
        schema.model_validate({"query": "x", "k": 99})
