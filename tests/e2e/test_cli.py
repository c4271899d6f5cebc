"""The ``baton`` CLI end to end, as real processes on real SQLite files, offline."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from cli_process import DOUBLE_CHARGE, Baton

pytestmark = pytest.mark.e2e


def test_double_charge_waits_for_each_approval_then_refunds_and_emails_once(
    baton: Baton,
) -> None:
    run = baton("run", DOUBLE_CHARGE, "--thread", "dc")
    assert run.returncode == 3, run.stderr
    assert run.stdout.splitlines()[0] == "thread: dc"
    assert "approval " in run.stdout and "· issue_refund" in run.stdout
    assert "continue: baton resume dc --approve all" in run.stdout
    assert baton.refunds_for(5531) == [] and baton.emails() == []

    refund_step = baton.json("resume", "dc", "--approve", "all", expect=3)
    assert [p["tool"] for p in refund_step["pending"]] == ["send_email"]
    assert [amount for _, amount in baton.refunds_for(5531)] == [12900]
    assert baton.emails() == []

    done = baton("resume", "dc", "--approve", "all")
    assert done.returncode == 0, done.stderr
    assert "status: done" in done.stdout
    assert len(baton.refunds_for(5531)) == 1
    assert len(baton.emails()) == 1

    finished = baton("resume", "dc", "--approve", "all")
    assert finished.returncode == 2
    assert finished.stderr == "baton: error: thread dc is finished\n"
    check_inspection(baton, "dc")


def check_inspection(baton: Baton, thread_id: str) -> None:
    """``threads``, ``show``, ``history`` and ``trace`` work, human and ``--json``."""
    commands = [["threads"], ["show", thread_id], ["history", thread_id], ["trace", thread_id]]
    results = baton.concurrently(*commands, *([*c, "--json"] for c in commands))
    for result in results:
        assert result.returncode == 0 and result.stderr == "", (result.args, result.stderr)
        assert result.stdout.strip(), result.args
    rows, details, history, trace = (json.loads(r.stdout) for r in results[4:])
    assert [(r["thread_id"], r["status"]) for r in rows] == [(thread_id, "done")]
    assert [(e["tool"], e["status"]) for e in details["effects"]] == [
        ("issue_refund", "done"),
        ("send_email", "done"),
    ]
    assert details["status"] == "done" and details["final_answer"]
    assert history[0]["source"] == "input" and history[-1]["next"] == []
    assert {"approval", "effect"} <= {e["kind"] for e in trace["events"]}


def test_reject_leaves_money_and_inbox_untouched(baton: Baton) -> None:
    first = baton.json("run", DOUBLE_CHARGE, "--thread", "rj", expect=3)
    refund = first["pending"][0]
    assert refund["tool"] == "issue_refund"
    done = baton.json("resume", "rj", "--reject", refund["id"], "--reason", "too high", expect=0)
    assert "Refund not issued" in done["final_answer"]
    assert "too high" in done["final_answer"]
    assert baton.refunds_for(5531) == []
    assert baton.emails() == []


def test_edit_changes_the_refund_amount(baton: Baton) -> None:
    first = baton.json("run", DOUBLE_CHARGE, "--thread", "ed", expect=3)
    refund = first["pending"][0]
    edited = baton(
        "resume", "ed", "--edit", refund["id"], "--args", json.dumps({"amount": "100.00"})
    )
    assert edited.returncode == 3, edited.stderr
    assert "issue_refund ok (edited)" in edited.stdout
    assert [amount for _, amount in baton.refunds_for(5531)] == [10000]


def test_demo_runs_the_three_samples_on_a_new_home(tmp_path: Path) -> None:
    baton = Baton(tmp_path / "new-home", with_world=False)  # what `make demo` starts from
    done = baton("demo")
    assert done.returncode == 0, (done.stdout, done.stderr)
    out = done.stdout
    assert f"created the sample world in {baton.home}" in out
    assert out.count("status: done") == 3
    assert "auto-approve " in out
    assert "emails in the outbox: 1" in out
    assert "tickets: 1" in out
    assert len(baton.refunds_for(5531)) == 1
    _readme_run_works(baton)


README = Path(__file__).resolve().parents[2] / "README.md"


def _try_it_yourself() -> list[list[str]]:
    """The commands of README's "Try a run yourself" block, as argv lists."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"Try a run yourself.*?```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None, "README lost its 'Try a run yourself' block"
    lines = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith(".venv/bin/baton")]


def _readme_run_works(baton: Baton) -> None:
    """README's "Try a run yourself", right after the demo in the same home."""
    run_argv, *later = _try_it_yourself()
    run = baton(*run_argv, "--json")
    assert run.returncode == 3, (run.stdout, run.stderr)  # waiting for the refund approval
    ran = json.loads(run.stdout)
    assert [item["tool"] for item in ran["pending"]] == ["issue_refund"]
    thread = ran["thread_id"]
    resume_argv = [thread if a == "<THREAD>" else a for a in later[0]]
    assert resume_argv[:3] == ["resume", thread, "--approve"]
    done = baton.approve_until_done(thread)
    assert done["status"] == "done"
    assert len(baton.refunds_for(5602)) == 1 and len(baton.refunds_for(5531)) == 1
    for argv in later[1:]:  # the follow-up turns the block shows
        follow = baton(*[thread if a == "<THREAD>" else a for a in argv], "--json")
        assert follow.returncode == 0, (follow.stdout, follow.stderr)
