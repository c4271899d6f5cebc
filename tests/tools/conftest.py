from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from persistence.database import PostgresDatabase
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


@pytest.fixture(params=["sqlite", "postgres"])
def engine_world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    """The sample world on each engine: ``world.db`` in a home, then the session's PostgreSQL.

    On PostgreSQL only the world's tables start over (``reset``), not the whole database.
    """
    if request.param == "sqlite":
        world = World(tmp_path / "world")
        world.init()
        return world
    url = request.getfixturevalue("postgres_session_url")
    world = World(tmp_path / "world", database=PostgresDatabase(url))
    world.reset()
    return world
