"""Fixtures for driving the ``baton`` CLI as real processes (no autouse fixtures here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_process import Baton


@pytest.fixture
def baton(tmp_path: Path) -> Baton:
    """``baton`` over a fresh BATON_HOME under the test's tmp dir."""
    return Baton(tmp_path / "home")
