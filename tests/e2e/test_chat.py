"""``baton chat``: a conversation at the terminal, driven through its stdin as a person would."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_process import DOUBLE_CHARGE, Baton, cli_command, cli_env

pytestmark = pytest.mark.e2e


def chat(baton: Baton, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``baton chat ARGS`` with ``lines`` typed, then Ctrl-D (the end of stdin)."""
    baton.home.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        cli_command("chat", *args),
        input="".join(f"{line}\n" for line in lines),
        env=cli_env(baton.home),
        cwd=baton.home.parent,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )


def test_a_conversation_with_an_edit_inline_and_a_follow_up(baton: Baton) -> None:
    typed = [DOUBLE_CHARGE, "e", '{"amount": "100.00"}', "a", "What did you refund?"]
    done = chat(baton, typed, "--thread", "c1")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "⏸ s4 operator · issue_refund waits for approval" in out
    assert "s4 operator · issue_refund ok (edited)" in out
    assert "baton> Here is what was done:" in out  # the streamed answer of turn 1
    assert "baton> In turn 1 I refunded 100.00 USD on order 5531" in out
    assert [amount for _, amount in baton.refunds_for(5531)] == [10000]
    assert len(baton.emails()) == 1

    # Later, the same conversation continues where it was left.
    again = chat(baton, ["What did you email?"], "--thread", "c1")
    assert again.returncode == 0, again.stderr
    assert "In turn 1 I emailed dana.whitfield@example.com" in again.stdout


def test_leaving_while_an_approval_waits_and_coming_back_to_answer_it(baton: Baton) -> None:
    left = chat(baton, [DOUBLE_CHARGE], "--thread", "c2")
    assert left.returncode == 3, left.stderr
    assert "the thread waits for approval: baton chat --thread c2" in left.stdout
    assert baton.refunds_for(5531) == []

    # A bad answer is asked again; a rejection ends the refund without doing it.
    back = chat(baton, ["x", "r", "customer withdrew the claim"], "--thread", "c2")
    assert back.returncode == 0, back.stderr
    assert "approval · s4 operator · issue_refund" in back.stdout
    assert "answer a, e or r" in back.stdout
    assert baton.refunds_for(5531) == []
    assert baton.emails() == []


def test_an_edit_that_does_not_fit_the_tool_is_refused_and_asked_again(baton: Baton) -> None:
    typed = [DOUBLE_CHARGE, "e", '{"amount": "-5"}', "e", "not json", "r", "no"]
    done = chat(baton, typed, "--thread", "c3")
    assert done.returncode == 0, done.stderr
    assert "the args for issue_refund are invalid: amount" in done.stdout
    assert "not JSON: Expecting value at char 0" in done.stdout
    assert baton.refunds_for(5531) == []


def test_a_bad_thread_id_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    baton = Baton(tmp_path / "home", with_world=False)  # a new home: nothing in it yet
    done = chat(baton, [], "--thread", "bad id")
    assert done.returncode == 2
    assert done.stderr.startswith("baton: error: invalid thread id 'bad id'")
    assert not baton.home.exists()
