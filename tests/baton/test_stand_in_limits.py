"""``baton run`` on the offline stand-in: an unreadable request ends unresolved with the fix."""

from __future__ import annotations

import json

import pytest

from baton.cli import main

pytestmark = pytest.mark.usefixtures("world_home")


def test_a_request_in_another_language_is_unresolved_and_names_a_real_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    request = "Me cobraron dos veces por el pedido 5531, quiero un reembolso."
    assert main(["run", request, "--thread", "es", "--json"]) == 4
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "unresolved"
    assert "cannot read" in out["final_answer"]
    assert "OPENAI_API_KEY" in out["final_answer"]
    assert "BATON_PROVIDER=local" in out["final_answer"]


def test_an_outage_report_is_filed_as_a_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    request = "The API has been down for everyone since 9am, customer 1003."
    assert main(["run", request, "--thread", "down", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "done"
    assert main(["show", "down", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["route"]["route"] == "ticket"
    assert shown["ticket_id"] == 1
    assert "[high] api" in out["final_answer"]
