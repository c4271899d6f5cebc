"""The ``baton`` CLI end to end, as real processes on real SQLite files, offline."""

from __future__ import annotations

import json

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


def test_demo_runs_the_three_samples(baton: Baton) -> None:
    done = baton("demo", "--reset")
    assert done.returncode == 0, (done.stdout, done.stderr)
    out = done.stdout
    assert out.count("status: done") == 3
    assert "auto-approve " in out
    assert "emails in the outbox: 1" in out
    assert "tickets: 1" in out
    assert len(baton.refunds_for(5531)) == 1
