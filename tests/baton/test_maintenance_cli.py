"""``baton prune``, ``fork`` and ``delete`` on prepared threads: dry runs, effects, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_samples import fingerprint

from baton.cli import main


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_prune_dry_run_says_what_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    before = fingerprint(threads_home)
    assert main(["prune", "--keep", "1", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("would remove ") and "waiting" in out and "finished" in out
    assert fingerprint(threads_home) == before


def test_prune_then_the_waiting_thread_resumes(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["prune", "--keep", "1", "--json"]) == 0
    pruned = _json(capsys)
    assert pruned["checkpoints"] and pruned["returned_bytes"] is not None
    assert main(["history", "waiting", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["resume", "waiting", "--approve", "all", "--json"]) in (0, 3)
    assert main(["resume", "waiting", "--approve", "all", "--json"]) in (0, 3)
    capsys.readouterr()
    assert main(["show", "waiting", "--json"]) == 0
    assert _json(capsys)["status"] == "done"


def test_prune_before_a_date_deletes_only_finished_threads(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["prune", "--before", "2999-01-01", "--json"]) == 0
    assert _json(capsys)["threads"] == ["finished"]
    assert main(["threads", "--json"]) == 0
    assert [row["thread_id"] for row in json.loads(capsys.readouterr().out)] == ["waiting"]


def test_fork_then_each_copy_decides_differently(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["fork", "waiting", "--to", "other"]) == 0
    assert "forked waiting -> other" in capsys.readouterr().out
    assert main(["show", "other", "--json"]) == 0
    (pending,) = _json(capsys)["pending"]  # type: ignore[misc]
    assert pending["tool"] == "issue_refund"
    assert main(["resume", "other", "--reject", pending["id"], "--reason", "no", "--json"]) == 0
    assert _json(capsys)["status"] == "done"
    assert main(["resume", "waiting", "--approve", "all", "--json"]) == 3  # now the email
    capsys.readouterr()
    assert main(["show", "other", "--json"]) == 0
    assert _json(capsys)["effects"] == []
    assert main(["show", "waiting", "--json"]) == 0
    assert [e["tool"] for e in _json(capsys)["effects"]] == ["issue_refund"]  # type: ignore[union-attr]


def test_delete_removes_only_that_thread(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["delete", "finished", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("would remove ")
    assert main(["delete", "finished"]) == 0
    assert "vacuum returned" in capsys.readouterr().out
    assert main(["threads", "--json"]) == 0
    assert [row["thread_id"] for row in json.loads(capsys.readouterr().out)] == ["waiting"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prune", "--keep", "0"], "--keep must be at least 1"),
        (["prune", "--before", "last tuesday"], "invalid date"),
        (["delete", "nope"], "unknown thread nope"),
        (["fork", "nope"], "unknown thread nope"),
        (["fork", "waiting", "--to", "finished"], "thread finished exists"),
        (["fork", "waiting", "--to", "bad id!"], "invalid thread id"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], threads_home: Path, argv: list[str], message: str
) -> None:
    before = fingerprint(threads_home)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert fingerprint(threads_home) == before


def test_prune_with_no_database_creates_nothing(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    assert main(["prune", "--keep", "3"]) == 2
    assert "no threads to prune" in capsys.readouterr().err
    assert not home.exists()


def test_delete_run_takes_back_an_approval_and_the_refund_still_happens_once(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["history", "waiting", "--json"]) == 0
    (first,) = {row["run_id"] for row in json.loads(capsys.readouterr().out)}
    assert main(["resume", "waiting", "--approve", "all", "--json"]) == 3  # now the email
    second = _json(capsys)["run_id"]
    assert isinstance(second, str) and second != first
    assert main(["show", "waiting", "--json"]) == 0
    assert _json(capsys)["runs"] == [first, second]

    before = fingerprint(threads_home)
    assert main(["delete", "waiting", "--run", second, "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("would remove ")
    assert main(["delete", "waiting", "--run", "r-404"]) == 2
    assert main(["delete", "waiting", "--run", "../x"]) == 2
    assert fingerprint(threads_home) == before

    # the first run can go even though the second continued from it (on a copy): every
    # checkpoint it made goes, and what the second run wrote onto them with them; the
    # second run resumed inside the operator's subgraph, so its own checkpoints are there
    assert main(["fork", "waiting", "--to", "copy"]) == 0
    capsys.readouterr()
    assert main(["delete", "copy", "--run", first, "--json"]) == 0
    removed = _json(capsys)
    assert removed["threads"] == ["copy"] and removed["checkpoints"] and removed["writes"]
    assert main(["show", "copy", "--json"]) == 0
    assert _json(capsys)["runs"] == [second]

    assert main(["delete", "waiting", "--run", second, "--json"]) == 0
    undone = _json(capsys)
    assert undone["threads"] == ["waiting"] and undone["checkpoints"] and undone["writes"]
    assert main(["show", "waiting", "--json"]) == 0
    shown = _json(capsys)
    assert [p["tool"] for p in shown["pending"]] == ["issue_refund"]  # type: ignore[union-attr]
    assert shown["runs"] == [first]

    assert main(["resume", "waiting", "--approve", "all", "--json"]) == 3  # the email again
    capsys.readouterr()
    assert main(["show", "waiting", "--json"]) == 0
    assert [e["tool"] for e in _json(capsys)["effects"]] == ["issue_refund"]  # type: ignore[union-attr]
