"""Fixtures for driving the ``baton`` CLI as real processes (no autouse fixtures here)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_process import Baton
from postgres_db import create_database, drop_database
from replicas import Replicas


@pytest.fixture
def baton(tmp_path: Path) -> Baton:
    """``baton`` over a fresh BATON_HOME under the test's tmp dir."""
    return Baton(tmp_path / "home")


ENGINES = ("sqlite", "postgresql")
FULL_ENGINES = ENGINES if os.environ.get("RELIABILITY_MATRIX") == "full" else ("sqlite",)
"""The engines of the slower suites: both under ``make reliability``, SQLite in CI."""


@contextmanager
def database_for(engine: str) -> Iterator[str | None]:
    """SQLite (None), or the URL of a fresh PostgreSQL database dropped afterwards.

    The processes of one test share that database (checkpoints, ledger, leases and the
    sample world), and no other test sees it.
    """
    if engine == "sqlite":
        yield None
        return
    url = create_database()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Each engine in turn: SQLite (None), then a fresh PostgreSQL database's URL."""
    with database_for(request.param) as url:
        yield url


@pytest.fixture(params=FULL_ENGINES)
def full_engine(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """Like ``engine``, with PostgreSQL only under ``RELIABILITY_MATRIX=full``."""
    with database_for(request.param) as url:
        yield url


@pytest.fixture
def engine_baton(tmp_path: Path, engine: str | None) -> Baton:
    """``baton`` over a fresh home, on each engine in turn (``Baton.engine`` says which)."""
    return Baton(tmp_path / "home", database_url=engine)


@pytest.fixture
def full_engine_baton(tmp_path: Path, full_engine: str | None) -> Baton:
    """``baton`` over a fresh home on each of ``FULL_ENGINES``."""
    return Baton(tmp_path / "home", database_url=full_engine)


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    """A fresh database (a home per replica); every replica started is stopped at the end."""
    url = create_database()
    made = Replicas(tmp_path, url)
    try:
        yield made
    finally:
        for server in made.started:
            server.stop()
        drop_database(url)
