"""``baton serve``: its help lists every setting; bad settings and addresses are refused."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from baton.cli import main
from baton.service.settings import ServiceSettings
from graphs.settings import Settings


def test_help_lists_every_setting_with_its_variable_and_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: baton serve")
    for name in ServiceSettings.model_fields:
        assert f"BATON_{name.upper()} (default " in out, name
    for name in Settings.model_fields:
        assert (f"BATON_{name.upper()}" in out) or name.startswith("openai_"), name
    assert "OPENAI_API_KEY (default unset)" in out
    assert "BATON_SERVE_PORT (default 8123)" in out


@pytest.fixture(autouse=True)
def _never_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal that slipped through would serve forever: fail instead."""

    def serve(*args: object, **kwargs: object) -> None:
        raise AssertionError("baton serve started serving")

    monkeypatch.setattr("uvicorn.run", serve)


def _refused(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("baton: error: ")
    return err


def test_without_keys_only_loopback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    err = _refused(capsys, "--host", "0.0.0.0")
    assert "no API keys configured" in err and "loopback" in err
    assert not (tmp_path / "home").exists()


def test_bad_keys_and_busy_ports_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_API_KEYS", "short=acme")
    assert "BATON_API_KEYS" in _refused(capsys)
    monkeypatch.delenv("BATON_API_KEYS")
    assert "BATON_SERVE_PORT" in _refused(capsys, "--port", "70000")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert f"cannot listen on 127.0.0.1:{port}" in _refused(capsys, "--port", str(port))


def test_a_replica_timeout_below_half_a_second_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BATON_REPLICA_TIMEOUT_S", "0.1")
    assert "BATON_REPLICA_TIMEOUT_S" in _refused(capsys)
