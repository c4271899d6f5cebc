"""CLI tests run ``baton.cli.main`` in-process against a fresh BATON_HOME, offline."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_samples import BUG_REPORT, DOUBLE_CHARGE

from baton.cli import main
from persistence.database import PostgresDatabase
from tools.world import World


def _offline_env(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("BATON_", "OPENAI_", "LANGSMITH_", "LANGCHAIN_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BATON_HOME", str(home))


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A per-test BATON_HOME (not created); no API key; no stray ``.env`` in the cwd."""
    monkeypatch.chdir(tmp_path)
    _offline_env(monkeypatch, tmp_path / "home")
    return tmp_path / "home"


@pytest.fixture(scope="session")
def prepared_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home with thread ``waiting`` (refund approval pending) and ``finished`` (done)."""
    base = tmp_path_factory.mktemp("prepared")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(base)
        _offline_env(monkeypatch, base / "home")
        assert main(["world", "init"]) == 0
        assert main(["run", DOUBLE_CHARGE, "--thread", "waiting", "--json"]) == 3
        assert main(["run", BUG_REPORT, "--thread", "finished", "--json"]) == 0
    yield base / "home"


@pytest.fixture
def world_home(home: Path) -> Path:
    """This test's BATON_HOME with the sample world created (no threads)."""
    World(home).init()
    return home


@pytest.fixture
def threads_home(home: Path, prepared_home: Path) -> Path:
    """This test's BATON_HOME, holding a copy of the prepared threads."""
    shutil.copytree(prepared_home, home)
    return home


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, home: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each engine in turn: SQLite under the home, then PostgreSQL (``BATON_DATABASE_URL``)."""
    if request.param == "postgres":
        monkeypatch.setenv("BATON_DATABASE_URL", request.getfixturevalue("postgres_url"))
    return str(request.param)


@pytest.fixture
def engine_threads_home(
    engine: str, home: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> Path:
    """``threads_home`` on each engine: the prepared threads, copied or made in PostgreSQL."""
    if engine == "sqlite":
        request.getfixturevalue("threads_home")
    else:
        World(home, database=PostgresDatabase(os.environ["BATON_DATABASE_URL"])).init()
        assert main(["run", DOUBLE_CHARGE, "--thread", "waiting", "--json"]) == 3
        assert main(["run", BUG_REPORT, "--thread", "finished", "--json"]) == 0
    capsys.readouterr()  # what making them printed is not the test's output
    return home
