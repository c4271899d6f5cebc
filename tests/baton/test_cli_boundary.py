"""The CLI boundary: help is fast and light, internal errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from baton.cli import main
from baton.commands import threads


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: baton")
    for command in ("run", "resume", "threads", "show", "history", "trace", "demo"):
        assert command in out


def test_help_does_not_import_langgraph() -> None:
    code = "import sys, baton.cli; print(any(m.startswith('lang') for m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_unexpected_error_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(args: argparse.Namespace) -> int:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(threads, "threads_command", boom)
    monkeypatch.delenv("BATON_DEBUG", raising=False)
    assert main(["threads"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "baton: internal error: RuntimeError: disk on fire second line "
        "(set BATON_DEBUG=1 for the traceback)\n"
    )


def test_baton_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(args: argparse.Namespace) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(threads, "threads_command", boom)
    monkeypatch.setenv("BATON_DEBUG", "1")
    with pytest.raises(RuntimeError, match="disk on fire"):
        main(["threads"])
