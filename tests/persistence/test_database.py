"""Which engine the settings select, and a URL that never shows its password."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from graphs.settings import Settings
from persistence.database import PostgresDatabase, SqliteDatabase


def test_unset_is_sqlite_under_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.database == SqliteDatabase(tmp_path / "baton.db")


def test_a_postgres_url_selects_postgres_with_the_pool_settings(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        database_url="postgresql://app:s3cret@db.internal:5432/baton",
        database_pool_max=4,
        database_conn_lifetime_s=60,
        _env_file=None,  # type: ignore[call-arg]
    )
    database = settings.database
    assert isinstance(database, PostgresDatabase)
    assert (database.max_size, database.max_lifetime_s) == (4, 60)
    assert database.safe_url == "postgresql://app:***@db.internal:5432/baton"
    assert "s3cret" not in repr(database) and "s3cret" not in repr(settings)


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite:///tmp/x.db", "http://db/x"])
def test_another_scheme_is_refused(url: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="postgresql://"):
        Settings(home=tmp_path, database_url=url, _env_file=None)  # type: ignore[call-arg]


def test_an_empty_url_means_unset(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url="", _env_file=None)  # type: ignore[call-arg]
    assert isinstance(settings.database, SqliteDatabase)
