"""The offline stand-in per request family, and what it says for one it cannot read."""

from __future__ import annotations

import pytest

from agents.models import offline_roles as roles
from agents.models.offline_limits import REAL_MODEL_HINT, cannot_read

FAMILIES = [
    ("Customer 1042 was charged twice for order 5531, please refund it.", "orchestrate"),
    ("I was billed two times for order 5602 — I want my money back.", "orchestrate"),
    ("Please refund order 5602 for customer 1077.", "orchestrate"),
    ("Bug report: the mobile app crashes when I tap Export.", "ticket"),
    ("The checkout page shows an error 500 when I pay.", "ticket"),
    ("Is the dashboard down? Nobody on our team can load it.", "ticket"),
    ("The API has been down for everyone since 9am.", "ticket"),
    ("We lost all our data after yesterday's sync, every record is gone.", "ticket"),
    ("Our exported files were deleted overnight.", "ticket"),
    ("How long does a refund take to arrive?", "answer"),
    ("What does the SLA say about outages?", "answer"),
    ("Can I cancel my annual plan?", "answer"),
    (
        "Customer 1042 was charged twice for order 5531; how long will the refund take?",
        "orchestrate",
    ),
]


@pytest.mark.parametrize(("request_text", "route"), FAMILIES)
def test_each_family_takes_its_route(request_text: str, route: str) -> None:
    assert cannot_read(request_text) is None
    assert roles.triage(request_text)["route"] == route


def test_a_mixed_request_plans_the_refund_and_the_policy_lookup() -> None:
    plan = roles.plan(FAMILIES[-1][0], has_results=False)
    workers = [step["worker"] for step in plan["steps"]]
    assert workers == ["analyst", "researcher", "writer", "operator"]


@pytest.mark.parametrize(
    "request_text",
    [
        "Me cobraron dos veces por el pedido 5531, quiero un reembolso.",
        "Ich wurde für die Bestellung 5531 doppelt belastet, bitte erstatten.",
        "注文5531で二重に請求されました。返金してください。",
    ],
)
def test_another_language_is_named_not_guessed(request_text: str) -> None:
    said = cannot_read(request_text)
    assert said is not None and "English" in said
    assert "OPENAI_API_KEY" in said and "BATON_PROVIDER=local" in said
    assert cannot_read(request_text) == said  # a pure function of the request


@pytest.mark.parametrize(
    "request_text", ["Write me a haiku about autumn leaves.", "Translate 'good morning' to Latin."]
)
def test_an_unknown_kind_is_named_not_guessed(request_text: str) -> None:
    said = cannot_read(request_text)
    assert said is not None and "none of them" in said and REAL_MODEL_HINT in said


def test_a_follow_up_is_read_with_the_conversation() -> None:
    history = (
        "turn 1 - user: Refund order 5531 for customer 1042\n  did: issue_refund order_id=5531"
    )
    assert cannot_read("and the other one too", history) is None
    assert cannot_read("and the other one too") is not None
    assert cannot_read("And how do I ask for one?", history) is None
