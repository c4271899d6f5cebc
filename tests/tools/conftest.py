from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.spec import ToolCallContext
from tools.world import World

_keys = itertools.count(1)


@pytest.fixture
def world(tmp_path: Path) -> World:
    world = World(home=tmp_path / "world")
    world.init()
    return world


@pytest.fixture
def make_ctx() -> Callable[..., ToolCallContext]:
    """A context with a fresh key unless one is given."""

    def make(key: str | None = None) -> ToolCallContext:
        return ToolCallContext(
            thread_id="thread-1",
            step_id="s1",
            worker="billing",
            idempotency_key=key or f"key{next(_keys):04d}",
        )

    return make
