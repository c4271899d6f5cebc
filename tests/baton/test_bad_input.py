"""Every refused input exits 2 with one line on stderr and changes no file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_samples import fingerprint

from baton.cli import main

Refusal = Callable[[list[str]], str]


@pytest.fixture
def refused(capsys: pytest.CaptureFixture[str], home: Path) -> Refusal:
    """Run ``baton ARGS``; assert exit 2, one stderr line, files unchanged; return the line."""

    def check(argv: list[str]) -> str:
        before = fingerprint(home)
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (out, err)
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("baton: error:") or lines[0].startswith("usage:") is False
        assert fingerprint(home) == before
        return lines[0]

    return check


def _pending_id(home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["resume", "waiting", "--json"]) == 3
    return str(json.loads(capsys.readouterr().out)["pending"][0]["id"])


@pytest.mark.parametrize("request_text", ["", "   \n\t "])
def test_empty_request(refused: Refusal, home: Path, request_text: str) -> None:
    assert "request is empty" in refused(["run", request_text])
    assert not home.exists()


def test_request_too_long(refused: Refusal, home: Path) -> None:
    assert "limit is 4000" in refused(["run", "x" * 4001])
    assert not home.exists()


@pytest.mark.parametrize("thread", ["has space", "", "x" * 65, "slash/id", "ünïcode"])
def test_invalid_thread_id(refused: Refusal, home: Path, thread: str) -> None:
    assert "invalid thread id" in refused(["run", "hello", "--thread", thread])
    assert not home.exists()


def test_a_new_turn_on_a_thread_waiting_for_approval(refused: Refusal, threads_home: Path) -> None:
    line = refused(["run", "hello", "--thread", "waiting"])
    assert line.startswith("baton: error: thread waiting is waiting for approval: answer it first")


@pytest.mark.parametrize("command", ["resume", "show", "history", "trace"])
def test_unknown_thread(refused: Refusal, home: Path, command: str) -> None:
    assert refused([command, "nope"]) == "baton: error: unknown thread nope"
    assert not home.exists()


def test_unknown_thread_with_existing_db(refused: Refusal, threads_home: Path) -> None:
    assert refused(["resume", "nope", "--approve", "all"]) == "baton: error: unknown thread nope"


def test_unknown_interrupt_id(
    refused: Refusal, threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _pending_id(threads_home, capsys)
    line = refused(["resume", "waiting", "--approve", "deadbeef"])
    assert "no pending approval with id deadbeef" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("{not json", "--args is not a JSON object"),
        ('["amount", "100.00"]', "--args is not a JSON object: got list"),
        ('"100.00"', "--args is not a JSON object: got str"),
    ],
)
def test_malformed_edit_args(
    refused: Refusal,
    threads_home: Path,
    capsys: pytest.CaptureFixture[str],
    args: str,
    expected: str,
) -> None:
    interrupt_id = _pending_id(threads_home, capsys)
    assert expected in refused(["resume", "waiting", "--edit", interrupt_id, "--args", args])


def test_edit_args_that_break_the_tool_schema(
    refused: Refusal, threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_id = _pending_id(threads_home, capsys)
    line = refused(["resume", "waiting", "--edit", interrupt_id, "--args", '{"amount": "lots"}'])
    assert "--args for issue_refund are invalid: amount" in line


def test_reject_without_reason(
    refused: Refusal, threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_id = _pending_id(threads_home, capsys)
    assert "each --reject needs its own --reason" in refused(
        ["resume", "waiting", "--reject", interrupt_id]
    )


def test_same_approval_named_twice(
    refused: Refusal, threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_id = _pending_id(threads_home, capsys)
    argv = ["resume", "waiting", "--approve", interrupt_id, "--reject", interrupt_id]
    assert "named more than once" in refused([*argv, "--reason", "no"])


def test_resume_finished_thread(refused: Refusal, threads_home: Path) -> None:
    line = refused(["resume", "finished", "--approve", "all"])
    assert line == "baton: error: thread finished is finished"


def test_home_that_cannot_be_created(
    refused: Refusal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a regular file, not a folder")
    monkeypatch.setenv("BATON_HOME", str(blocker / "sub"))
    assert "BATON_HOME" in refused(["run", "hello"])
    assert "not writable" in refused(["demo"])
    assert blocker.read_text() == "a regular file, not a folder"


def test_invalid_setting(refused: Refusal, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_MAX_CONCURRENCY", "0")
    line = refused(["run", "hello"])
    assert "max_concurrency" in line
    assert not home.exists()


def test_argparse_errors_exit_2_with_a_usage_line(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    assert main(["frobnicate"]) == 2
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "baton: error:" in err
    assert not home.exists()
