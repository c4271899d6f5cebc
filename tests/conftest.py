"""Shared fixtures: no network, no real provider configuration, a private Baton home.

pytest-socket (``--allow-hosts`` in pyproject) refuses connections to anything but
loopback; ``tests/test_network_blocked.py`` proves it. Every test also runs without
``OPENAI_*`` and LangSmith variables, so no test can reach a real model or tracer even if
the developer's shell has them set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_db import create_database, drop_database, empty_tables

from graphs.settings import Settings
from persistence.database import PostgresDatabase
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


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """This test process's own PostgreSQL database, dropped when the session ends."""
    url = create_database()
    yield url
    drop_database(url)


@pytest.fixture
def postgres_url(postgres_session_url: str) -> str:
    """The session's PostgreSQL database with every table emptied for this test."""
    empty_tables(postgres_session_url)
    return postgres_session_url


@pytest.fixture(params=["sqlite", "postgres"])
def engine_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """``settings`` on each engine in turn: SQLite under the home, then PostgreSQL."""
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    World(tmp_path / "home", database=PostgresDatabase(url) if url else None).init()
    return Settings(home=tmp_path / "home", database_url=url, _env_file=None)  # type: ignore[call-arg]


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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the long end-to-end tests first, so that parallel workers finish together."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)
