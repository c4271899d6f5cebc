"""``baton run`` / ``resume`` in-process: progress lines, endings, exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_samples import BUG_REPORT, DOUBLE_CHARGE

from baton.cli import main

pytestmark = pytest.mark.usefixtures("world_home")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_run_prints_thread_first_then_progress_then_the_approval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", DOUBLE_CHARGE, "--thread", "t1"]) == 3
    lines = _lines(capsys)
    assert lines[0] == "thread: t1"
    assert "offline stand-in" in lines[1]
    assert any(line.startswith("route: orchestrate — ") for line in lines)
    assert "→ s1 analyst: Verify the captured charges for order 5531" in "\n".join(lines)
    assert "  s1 analyst · sql_query ok" in lines
    assert any(line.startswith("✓ s1 analyst: Order 5531 was charged 2 times") for line in lines)
    assert any(line.startswith("review s3 · ") for line in lines)
    assert "✓ draft s3 passed review" in lines
    assert "status: waiting for approval (1 pending)" in lines
    assert lines[-2] == "continue: baton resume t1 --approve all"


def test_resume_walks_the_approvals_to_done(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", DOUBLE_CHARGE, "--thread", "t2", "--json"]) == 3
    first = json.loads(capsys.readouterr().out)
    assert [p["tool"] for p in first["pending"]] == ["issue_refund"]
    assert first["resume_command"] == "baton resume t2 --approve all"

    assert main(["resume", "t2", "--approve", "all"]) == 3
    lines = _lines(capsys)
    assert f"approve {first['pending'][0]['id']} · issue_refund" in lines
    assert "  s4 operator · issue_refund ok (approved)" in lines
    assert "⏸ s4 operator · send_email waits for approval" in lines

    assert main(["resume", "t2", "--approve", "all", "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["status"] == "done"
    assert done["pending"] == [] and done["resume_command"] is None
    assert "Refunded 129.00 USD on order 5531" in done["final_answer"]


def test_resume_without_decisions_only_shows_what_waits(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    assert main(["run", DOUBLE_CHARGE, "--thread", "t3", "--json"]) == 3
    pending = json.loads(capsys.readouterr().out)["pending"]
    assert main(["resume", "t3", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["pending"] == pending


def test_ticket_request_files_one_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", BUG_REPORT, "--thread", "bug"]) == 0
    lines = _lines(capsys)
    assert any(line.startswith("route: ticket") for line in lines)
    assert any(line.startswith("✓ ticket #1 filed: ") for line in lines)
    assert "status: done" in lines


def test_json_run_prints_exactly_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", BUG_REPORT, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {
        "thread_id",
        "run_id",
        "status",
        "final_answer",
        "error",
        "pending",
        "resume_command",
    }
    assert result["status"] == "done" and result["error"] is None
    assert isinstance(result["run_id"], str) and len(result["run_id"]) == 36  # a UUID


def test_run_on_a_finished_thread_is_the_conversations_next_turn(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", BUG_REPORT, "--thread", "conv", "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["run", "Which ticket did you file?", "--thread", "conv", "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["run_id"] != first["run_id"]
    assert "I filed ticket #1" in second["final_answer"]
