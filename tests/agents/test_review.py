"""The review rules over customer drafts, checked against the seeded business world."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.models import offline_workers
from agents.review import RULES
from state.draft import Draft
from tools.world import World

FACTS = (
    "duplicate_charge: customer_id=1042 order_id=5531 amount=129.00 currency=USD "
    'name="Dana Whitfield" email=dana.whitfield@example.com'
)
TASK = (
    "Request: Order 5531 was charged twice\nWorker: writer\nStep: s3\n"
    "Instruction: Draft the email.\nContext:\n### s1 (analyst)\n"
    f"Order 5531 was charged 2 times.\n{FACTS}\n### s2 (researcher)\n"
    "It usually appears within 5–10 business days."
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    world = World(home=Path(tmp_path_factory.mktemp("review")) / "world")
    world.init()
    return world


@pytest.fixture(scope="module")
def good() -> Draft:
    """The offline writer's draft for the seeded duplicate charge."""
    call = offline_workers.writer(TASK, [])
    assert isinstance(call, offline_workers.Call) and call.name == "draft_email"
    return Draft.model_validate(call.args)


def failures(draft: Draft, world: World) -> dict[str, list[str]]:
    return {
        name: rule.check(draft, world) for name, rule in RULES.items() if rule.check(draft, world)
    }


def edit(draft: Draft, old: str, new: str) -> Draft:
    assert old in draft.body
    return draft.model_copy(update={"body": draft.body.replace(old, new)})


def test_the_offline_writers_draft_passes_every_rule(good: Draft, world: World) -> None:
    assert set(RULES) == {"tone", "amounts", "no_internal_data", "promises"}
    assert failures(good, world) == {}


def test_a_wrong_amount_fails_the_amounts_rule(good: Draft, world: World) -> None:
    bad = edit(good, "129.00 USD", "$139.00")
    assert failures(bad, world) == {
        "amounts": ["amount 139.00 matches no charge, refund or order of customer 1042"]
    }


def test_another_customers_amount_is_still_wrong(good: Draft, world: World) -> None:
    # 49.00 is order 5602's amount, which belongs to Marco Ruiz, not Dana.
    bad = edit(good, "129.00 USD", "49.00 EUR")
    assert list(failures(bad, world)) == ["amounts"]


def test_a_charge_id_is_internal_data(good: Draft, world: World) -> None:
    bad = edit(good, "was charged twice.", "was charged twice (ch_5531_2).")
    assert failures(bad, world) == {"no_internal_data": ["remove internal detail 'ch_5531_2'"]}


def test_another_customers_address_is_internal_data(good: Draft, world: World) -> None:
    bad = edit(good, "Thank you", "Marco (marco.ruiz@example.com) had the same issue. Thank you")
    reasons = failures(bad, world)["no_internal_data"]
    assert "remove the address marco.ruiz@example.com" in reasons


def test_internal_note_text_is_internal_data(good: Draft, world: World) -> None:
    note = "Chargeback filed in 2024 and later withdrawn; do not offer store credit."
    bad = edit(good, "Thank you", f"{note} Thank you")
    reasons = failures(bad, world)["no_internal_data"]
    assert "remove text copied from an internal note" in reasons


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("it should arrive", "we guarantee it will arrive", "do not promise 'guarantee'"),
        ("within 5–10 business days", "within 2 days", "'2 days' contradicts the refund policy"),
        ("within 5–10 business days", "immediately", "do not promise 'immediately'"),
    ],
)
def test_promises_must_match_the_refund_policy(
    good: Draft, world: World, old: str, new: str, fragment: str
) -> None:
    bad = edit(good, old, new)
    found = failures(bad, world)
    assert list(found) == ["promises"]
    assert any(fragment in reason for reason in found["promises"])
    assert all("5–10 business days" in reason for reason in found["promises"])


def test_a_missing_greeting_fails_the_tone_rule(good: Draft, world: World) -> None:
    bad = edit(good, "Hi Dana,", "To whom it may concern,")
    assert failures(bad, world) == {"tone": ["greet the customer by first name ('Hi Dana,')"]}


def test_tone_needs_the_sign_off_and_no_banned_phrases_or_shouting(
    good: Draft, world: World
) -> None:
    bad = edit(good, "— The Support Team", "Obviously this is URGENT.\nBye")
    reasons = failures(bad, world)["tone"]
    assert "sign off with '— The Support Team'" in reasons
    assert "remove the phrase 'obviously' (tone guide)" in reasons
    assert "no shouting in capitals" in reasons


def test_each_rule_reports_every_problem_it_finds(good: Draft, world: World) -> None:
    bad = edit(good, "Hi Dana,", "Hello,")
    bad = edit(bad, "129.00 USD", "12.34 USD (ch_5531_2)")
    bad = edit(bad, "within 5–10 business days", "instantly")
    assert set(failures(bad, world)) == {"tone", "amounts", "no_internal_data", "promises"}
