"""Who a request names, against who owns the orders it names."""

from __future__ import annotations

import pytest

from tools.identity import owner_mismatches
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Customer 4242 was charged twice for order 5531.", "customer 4242 (not on file)"),
        ("Customer 1077 was charged twice for order 5531.", "customer 1077"),
        ("Marco Ruiz says order #5531 was charged twice.", "customer 1077 (Marco Ruiz)"),
        ("Email MARCO.RUIZ@example.com about order 5531.", "customer 1077 (Marco Ruiz)"),
        ("Refund order 5531 for nobody@example.org", "nobody@example.org (not on file)"),
    ],
)
def test_a_requester_who_does_not_own_the_order_is_named(
    world: World, text: str, named: str
) -> None:
    (found,) = owner_mismatches(world, text)
    assert (found.order_id, found.owner_id, found.named) == (5531, 1042, (named,))
    assert found.note == (
        f"the request names {named}, but order 5531 belongs to customer 1042: confirm who "
        "the customer is before acting"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Customer 1042 was charged twice for order 5531.",
        "Dana Whitfield was charged twice for order 5531.",
        "Léa Martin's order 5590 was charged twice.",
        "Order 5531 was charged twice.",  # names nobody: nothing to compare
        "Customer 4242 was charged twice.",  # names no order
        "Customer 1042 asks about order 9999.",  # no such order: the tools say so
    ],
)
def test_an_owner_or_no_one_to_compare_is_no_mismatch(world: World, text: str) -> None:
    assert owner_mismatches(world, text) == []


def test_each_order_is_checked(world: World) -> None:
    found = owner_mismatches(world, "Customer 1042: orders 5531 and 5602 were charged twice.")
    assert [(m.order_id, m.owner_id) for m in found] == [(5602, 1077)]
