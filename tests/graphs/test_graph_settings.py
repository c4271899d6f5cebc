"""Settings: typed, validated, from BATON_* variables, .env files or arguments."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from graphs.settings import Settings


def test_defaults_run_offline_under_dot_baton(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.home == Path(".baton")
    assert settings.db_path == Path(".baton") / "baton.db"
    assert settings.model_config_for_agents().api_key is None


def test_environment_variables_configure_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_MAX_MODEL_CALLS", "7")
    monkeypatch.setenv("BATON_HOME", "/srv/baton")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_model_calls == 7
    assert settings.home == Path("/srv/baton")
    config = settings.model_config_for_agents()
    assert config.api_key == "sk-test"
    assert config.base_url == "http://127.0.0.1:8000/v1"
    assert "sk-test" not in repr(settings)  # the key is a secret


def test_a_dot_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BATON_MAX_PLAN_STEPS=3\nBATON_DURABILITY=exit\n")
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.max_plan_steps == 3
    assert settings.durability == "exit"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BATON_RECURSION_LIMIT", "3"),
        ("BATON_MAX_MODEL_CALLS", "0"),
        ("BATON_MAX_MODEL_CALLS", "lots"),
        ("BATON_DURABILITY", "sometimes"),
        ("BATON_SMTP_URL", "http://mail.example.com"),
    ],
)
def test_invalid_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert name.removeprefix("BATON_").lower() in str(info.value)
