"""``baton resume T --budget ...``: a turn that ran out goes on once its budget is raised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_samples import DOUBLE_CHARGE, fingerprint

from baton.cli import main


@pytest.fixture
def ran_out(
    world_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    with monkeypatch.context() as low:
        low.setenv("BATON_MAX_MODEL_CALLS", "6")
        assert main(["run", DOUBLE_CHARGE, "--thread", "poor", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["status"] == "budget_exhausted"
    return "poor"


def test_a_raised_budget_goes_on_to_the_approval_and_to_done(
    ran_out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resume", ran_out]) == 2
    assert "ran out of budget: `--budget` raises it" in capsys.readouterr().err
    assert main(["resume", ran_out, "--budget", "model_calls=60"]) == 3
    out = capsys.readouterr().out
    assert "budget raised: 60 model calls, 40 tool calls, 400000 tokens" in out
    assert "· issue_refund" in out
    assert main(["resume", ran_out, "--approve", "all", "--json"]) == 3  # now the email
    capsys.readouterr()
    assert main(["resume", ran_out, "--approve", "all", "--json"]) == 0
    ended = json.loads(capsys.readouterr().out)
    assert ended["status"] == "done" and "Refunded 129.00 USD" in ended["final_answer"]


@pytest.mark.parametrize(
    ("budget", "error"),
    [
        ("model_calls", "use KEY=N pairs"),
        ("money=5", "use KEY=N pairs"),
        ("model_calls=-1", "use KEY=N pairs"),
        ("model_calls=5,model_calls=9", "names model_calls twice"),
        ("model_calls=6", "model_calls=6 is not above the 6 this turn used"),
    ],
)
def test_a_bad_budget_is_refused_and_changes_nothing(
    ran_out: str, capsys: pytest.CaptureFixture[str], world_home: Path, budget: str, error: str
) -> None:
    before = fingerprint(world_home)
    assert main(["resume", ran_out, "--budget", budget]) == 2
    assert error in capsys.readouterr().err
    assert fingerprint(world_home) == before


def test_budget_only_for_a_turn_that_ran_out(
    threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resume", "waiting", "--budget", "model_calls=99"]) == 2
    assert "continues a turn that ran out of budget; waiting is" in capsys.readouterr().err
    assert main(["resume", "waiting", "--budget", "tokens=9", "--approve", "all"]) == 2
    assert "takes no decisions" in capsys.readouterr().err
