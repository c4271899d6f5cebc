"""What reports and review rules read from the world, on both engines."""

from __future__ import annotations

import pytest

from persistence.world import report
from persistence.world.store import read
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    return engine_world


def test_refunds_and_tickets_of_a_new_world(world: World) -> None:
    refunds, tickets = report.refunds_and_tickets(world)
    assert refunds == [
        {
            "id": "re_5495_seed",
            "order_id": 5495,
            "customer_id": 1015,
            "amount_cents": 2000,
            "currency": "USD",
            "reason": "Two of the five seats were never activated (goodwill partial refund).",
        }
    ]
    assert tickets == []


def test_review_reads(world: World) -> None:
    assert report.customer_name(world, 1042) == "Dana Whitfield"
    assert report.customer_name(world, 4242) is None
    assert sorted(report.customer_amounts(world, 1042)) == [1900, 12900]
    notes = report.internal_notes(world)
    assert len(notes) == 3
    assert "RISK-88213" in notes[1]


def test_the_stand_in_s_charges_query_runs_on_the_engine(world: World) -> None:
    by_order = report.charges_query(order_id=5531)
    by_customer = report.charges_query(customer_id=1042, excluded_order=5556)
    with read(world) as conn:
        rows = [dict(r) for r in conn.execute(by_order)]
        others = [dict(r) for r in conn.execute(by_customer)]
    assert [r["charge_id"] for r in rows] == ["ch_5531_1", "ch_5531_2"]
    assert rows[0]["name"] == "Dana Whitfield"
    assert rows[0]["refunded_cents"] == 0
    assert {r["order_id"] for r in others} == {5531}
