"""Customers and tickets as stored, on both engines."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from persistence.world import customers, tickets
from persistence.world.store import read, write
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    return engine_world


def test_customers_by_id_and_by_address(world: World) -> None:
    with read(world) as conn:
        assert customers.email_on_file(conn, 1042) == "dana.whitfield@example.com"
        assert customers.email_on_file(conn, 4242) is None
        assert customers.exists(conn, 1077)
        assert not customers.exists(conn, 4242)
    assert customers.id_by_email(world, "  Dana.Whitfield@EXAMPLE.com ") == 1042
    assert customers.id_by_email(world, "nobody@example.com") is None
    every = customers.every_customer(world)
    assert [c["id"] for c in every] == sorted(c["id"] for c in every)
    assert len(every) == 8
    assert set(dict(every[0])) == {"id", "name", "email", "tier"}


def test_order_owners_are_read_for_the_orders_named(world: World) -> None:
    on_file, owners = customers.customers_and_owners(world, [5531, 5602, 9999])
    assert len(on_file) == 8
    assert owners == {5531: 1042, 5602: 1077}


def _file(conn: object, key: str, customer_id: int | None = None) -> None:
    tickets.insert_ticket(
        conn,  # type: ignore[arg-type]
        customer_id=customer_id,
        product="Billing",
        severity="low",
        title="A ticket",
        summary="Something is off.",
        body="x",
        idempotency_key=key,
    )


def test_tickets_are_numbered_and_found_by_key(world: World) -> None:
    with write(world) as conn:
        _file(conn, "t1", 1042)
        _file(conn, "t2")
    with read(world) as conn:
        first, second = tickets.ticket_by_key(conn, "t1"), tickets.ticket_by_key(conn, "t2")
        assert tickets.ticket_by_key(conn, "t3") is None
    assert (first["id"], first["customer_id"], second["id"]) == (1, 1042, 2)
    with (
        pytest.raises((sqlite3.IntegrityError, psycopg.errors.IntegrityError)),
        write(world) as conn,
    ):
        _file(conn, "t1")
