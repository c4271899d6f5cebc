from __future__ import annotations

from pathlib import Path

import pytest

from tools.world import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    """A freshly seeded sample world in ``world.db``."""
    world = World(home=tmp_path / "world")
    world.init()
    return world
