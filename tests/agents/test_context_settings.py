"""Each tier's context window comes from its setting, and a bad one is a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.models.tiers import build_tiers
from baton.errors import BadInput
from baton.settings import load_settings


def test_the_context_settings_reach_the_tiers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BATON_FAST_CONTEXT_TOKENS", "4096")
    monkeypatch.setenv("BATON_STRONG_CONTEXT_TOKENS", "32000")
    tiers = build_tiers(load_settings().model_config_for_agents())
    assert tiers.context_tokens == {"fast": 4096, "strong": 32000}


def test_the_defaults_are_sixteen_thousand(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    tiers = build_tiers(load_settings().model_config_for_agents())
    assert tiers.context_tokens == {"fast": 16_000, "strong": 16_000}


def test_a_window_too_small_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BATON_FAST_CONTEXT_TOKENS", "100")
    with pytest.raises(BadInput) as info:
        load_settings()
    assert "BATON_FAST_CONTEXT_TOKENS" in str(info.value) and "\n" not in str(info.value)
