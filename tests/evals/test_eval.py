"""The eval on the offline stand-in, over a small subset: its figures come from the runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.cases import Case, load_cases
from evals.cli import main, run_eval

SUBSET = ("dup-01", "norefund-01", "bug-01", "outage-03", "policy-03", "unknown-01")


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    every = load_cases()
    assert len(every) >= 40
    return [c for c in every if c.id in SUBSET]


@pytest.fixture(scope="module")
def measured(cases: list[Case], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_eval("stand-in", cases, tmp_path_factory.mktemp("eval"))


def test_the_stand_in_scores_its_own_families(measured: dict[str, Any]) -> None:
    accuracy = measured["accuracy"]
    assert accuracy["route"] == {"cases": 5, "right": 5, "accuracy": 1.0}
    assert accuracy["outcome"]["cases"] == 6
    assert accuracy["outcome"]["right"] == 6, [c["why"] for c in measured["cases"]]
    rows = {row["id"]: row for row in measured["cases"]}
    assert rows["unknown-01"]["status"] == "unresolved"
    assert rows["dup-01"]["status"] == "done"


def test_costs_are_read_from_the_trace(measured: dict[str, Any]) -> None:
    costs = measured["costs"]
    assert costs["schema_failures"] == 0 and costs["retries"] == 0 and costs["crashes"] == 0
    assert costs["server_deaths"] == 0
    assert set(costs["tiers"]) == {"fast", "strong"}
    assert costs["tiers"]["fast"]["calls"] > 5
    assert costs["tiers"]["fast"]["input_tokens"] > 0
    assert costs["latency_s"]["max"] >= costs["latency_s"]["p50"] > 0


def test_a_wrong_label_lowers_accuracy(cases: list[Case], tmp_path: Path) -> None:
    bug = next(c for c in cases if c.id == "bug-01")
    wrong_route = bug.model_copy(update={"id": "bug-wrong", "route": "answer"})
    refund = next(c for c in cases if c.id == "dup-01")
    wrong_amount = refund.model_copy(
        update={
            "id": "dup-wrong",
            "tool_args": {"issue_refund": {"order_id": 5531, "amount": "1.00"}},
        }
    )
    doc = run_eval("stand-in", [wrong_route, wrong_amount], tmp_path)
    assert doc["accuracy"]["route"] == {"cases": 2, "right": 1, "accuracy": 0.5}
    assert doc["accuracy"]["tool_args"] == {"cases": 1, "right": 0, "accuracy": 0.0}
    why = {row["id"]: row["why"] for row in doc["cases"]}
    assert why["bug-wrong"]["route"] == "took ticket"
    assert "amount" in why["dup-wrong"]["tool_args"]


def test_the_cli_prints_json_and_refuses_unknown_ids(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--only", "policy-03", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["provider"] == "stand-in" and [c["id"] for c in doc["cases"]] == ["policy-03"]
    assert main(["--only", "nope"]) == 2
    assert "unknown case ids: nope" in capsys.readouterr().err
    bad = tmp_path / "cases.json"
    bad.write_text('[{"id": "x"}]')
    assert main(["--cases", str(bad)]) == 2


def test_a_provider_that_cannot_run_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--provider", "openai", "--only", "policy-03"]) == 2
    assert capsys.readouterr().err.strip() == "error: --provider openai needs OPENAI_API_KEY"
