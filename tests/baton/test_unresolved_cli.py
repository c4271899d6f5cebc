"""A run whose contract does not hold ends ``unresolved``: exit 4, shown as such everywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cli_samples import DOUBLE_CHARGE
from fakes import scripted_tiers
from langgraph.types import StateSnapshot

from baton import exit_codes
from baton.cli import main
from baton.service.outcome import outcome_of

pytestmark = pytest.mark.usefixtures("world_home")


@pytest.fixture(autouse=True)
def workers_that_never_call_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    handlers = {
        w: (lambda turn, w=w: f"The {w} handled it.")
        for w in ("researcher", "analyst", "writer", "operator")
    }

    def tiers(_: Any) -> Any:
        return scripted_tiers(handlers)[0]

    monkeypatch.setattr("graphs.services.build_tiers", tiers)


def test_run_that_did_nothing_exits_4_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_codes.UNRESOLVED == 4
    assert main(["run", DOUBLE_CHARGE, "--thread", "t1", "--json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "unresolved"
    assert "no verified refund" in out["error"]

    assert main(["run", DOUBLE_CHARGE, "--thread", "t2"]) == 4
    lines = capsys.readouterr().out.splitlines()
    assert "status: unresolved" in lines
    assert any(line.startswith("error: unresolved: a money request") for line in lines)

    assert main(["threads", "--json"]) == 0
    rows = {row["thread_id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["t1"]["status"] == "unresolved"


def test_serve_calls_an_unresolved_run_success_with_the_status_in_its_values() -> None:
    values = {"status": "unresolved", "error": "unresolved: no ticket was filed"}
    snapshot = StateSnapshot(values, (), {}, None, None, None, (), ())
    outcome = outcome_of(snapshot, [])
    assert outcome.run_status == "success"
    assert outcome.thread_status == "idle"
    assert outcome.result["status"] == "unresolved"
    failed = outcome_of(StateSnapshot({"status": "failed"}, (), {}, None, None, None, (), ()), [])
    assert failed.run_status == "error"
