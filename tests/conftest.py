"""Shared fixtures: no network, no real provider configuration, a private Baton home.

pytest-socket (``--allow-hosts`` in pyproject) refuses connections to anything but
loopback; ``tests/test_network_blocked.py`` proves it. Every test also runs without
``OPENAI_*`` and LangSmith variables, so no test can reach a real model or tracer even if
the developer's shell has them set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphs.settings import Settings
from tools.world import World

_PROVIDER_VARS = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "BATON_OPENAI_API_KEY",
    "BATON_OPENAI_BASE_URL",
    "LANGSMITH_TRACING",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_TRACING_V2",
    "LANGCHAIN_API_KEY",
)


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _PROVIDER_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in [n for n in os.environ if n.startswith("BATON_")]:
        monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_backoff_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model-call backoff is asserted by its recorded delays, not by waiting."""
    monkeypatch.setattr("agents.calls.sleep", lambda seconds: None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Offline settings whose databases live under the test's own tmp dir, world created."""
    home = tmp_path / "home"
    World(home).init()
    return Settings(home=home, _env_file=None)  # type: ignore[call-arg]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long end-to-end tests first, so that parallel workers finish together."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)
