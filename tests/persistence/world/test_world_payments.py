"""Charges and refunds as stored, on both engines."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from persistence.world import payments
from persistence.world.store import read
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    return engine_world


def _refund(conn: object, key: str, cents: int = 100) -> None:
    payments.insert_refund(
        conn,  # type: ignore[arg-type]
        refund_id=f"re_{key}",
        charge_id="ch_5531_2",
        order_id=5531,
        customer_id=1042,
        amount_cents=cents,
        currency="USD",
        reason="duplicate charge",
        idempotency_key=key,
    )


def test_captured_charges_leave_out_failed_attempts_oldest_first(world: World) -> None:
    with read(world) as conn:
        assert [r["id"] for r in payments.captured_charges(conn, 5531)] == [
            "ch_5531_1",
            "ch_5531_2",
        ]
        assert [r["id"] for r in payments.captured_charges(conn, 5579)] == ["ch_5579_1"]
        assert payments.charge(conn, "ch_5579_0")["status"] == "failed"
        assert payments.charge(conn, "ch_nope") is None
        assert payments.order(conn, 5531)["customer_id"] == 1042
        assert payments.order(conn, 1) is None
        seeded = payments.order_refunds(conn, 5495)
    assert [(r["id"], r["charge_id"], r["amount_cents"]) for r in seeded] == [
        ("re_5495_seed", "ch_5495_1", 2000)
    ]


def test_a_refund_is_recorded_once_per_key(world: World) -> None:
    with payments.refunding(world) as conn:
        _refund(conn, "k1")
    with read(world) as conn:
        recorded = payments.refund_by_key(conn, "k1")
        assert payments.refund_by_key(conn, "k2") is None
    assert (recorded["id"], recorded["amount_cents"], recorded["charge_id"]) == (
        "re_k1",
        100,
        "ch_5531_2",
    )
    assert recorded["created_at"].endswith("Z")
    with (
        pytest.raises((sqlite3.IntegrityError, psycopg.errors.IntegrityError)),
        payments.refunding(world) as conn,
    ):
        payments.insert_refund(
            conn,
            refund_id="re_other",
            charge_id="ch_5531_2",
            order_id=5531,
            customer_id=1042,
            amount_cents=100,
            currency="USD",
            reason="again",
            idempotency_key="k1",
        )  # same key, another id: the unique key refuses it


def test_a_refund_whose_block_fails_is_rolled_back(world: World) -> None:
    with pytest.raises(RuntimeError), payments.refunding(world) as conn:
        _refund(conn, "k-undone")
        raise RuntimeError("the rules refused it")
    with (
        pytest.raises((sqlite3.IntegrityError, psycopg.errors.IntegrityError)),
        payments.refunding(world) as conn,
    ):
        _refund(conn, "k-zero", cents=0)  # amounts are positive
    with read(world) as conn:
        assert payments.refund_by_key(conn, "k-undone") is None
        assert len(payments.order_refunds(conn, 5531)) == 0
