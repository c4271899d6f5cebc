"""The sample world in PostgreSQL: created once, checked without creating, shared by homes."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import psycopg
import pytest

from persistence.database import PostgresDatabase
from persistence.migrations import CREATE_TABLE
from persistence.world.store import read
from tools.customers import check_recipient
from tools.knowledge_base import search
from tools.outbox import SendEmailArgs, outbox_messages, send_email
from tools.payments import IssueRefundArgs, issue_refund
from tools.spec import AlreadyDone
from tools.sql_query import run_query
from tools.tickets import FileTicketArgs, file_ticket
from tools.world import World, WorldUnavailable

REFUND = IssueRefundArgs(
    order_id=5531,
    customer_id=1042,
    amount="129.00",  # type: ignore[arg-type]
    currency="USD",
    reason="duplicate charge",
    charge_id="ch_5531_2",
)


def _counts(world: World) -> dict[str, int]:
    tables = ("customers", "orders", "charges", "refunds", "tickets", "internal_notes")
    with read(world) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) AS n FROM {t}").fetchone()["n"] for t in tables}


def _world_schema(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "'baton_world' ORDER BY table_name"
        )
        return [str(r[0]) for r in rows]


def _drop_world(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS baton_world CASCADE")
        conn.execute(CREATE_TABLE)
        conn.execute("DELETE FROM baton_migrations WHERE store = 'world'")


@pytest.fixture
def pg(postgres_url: str) -> PostgresDatabase:
    """The session's database with no world in it yet."""
    _drop_world(postgres_url)
    return PostgresDatabase(postgres_url)


def test_check_names_the_fix_and_creates_nothing(pg: PostgresDatabase, tmp_path: Path) -> None:
    world = World(tmp_path / "home", database=pg)
    with pytest.raises(WorldUnavailable, match=r"no world in PostgreSQL .*baton world init"):
        world.check()
    assert not world.exists()
    assert _world_schema(pg.url) == []
    assert not (tmp_path / "home").exists()


def test_init_seeds_once_and_a_half_made_world_is_refused(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    world = World(tmp_path / "home", database=pg)
    assert world.init()
    assert not World(tmp_path / "other", database=pg).init()
    assert _counts(world) == {
        "customers": 8,
        "orders": 15,
        "charges": 18,
        "refunds": 1,
        "tickets": 0,
        "internal_notes": 3,
    }
    world.check()
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute("DELETE FROM baton_world.meta")
    with pytest.raises(WorldUnavailable, match=r"was never seeded: .*baton demo --reset"):
        world.check()
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute("DROP TABLE baton_world.tickets")
    with pytest.raises(WorldUnavailable, match="lacks tickets"):
        world.check()


def _init_and_refund(url: str, home: str, key: str) -> None:
    world = World(Path(home), database=PostgresDatabase(url))
    world.init()
    try:
        issue_refund(world, REFUND, key)
    except AlreadyDone:
        sys.exit(3)


def test_processes_seed_once_and_refund_the_duplicate_charge_once(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    # Four replicas (own homes, one database) start at once: each runs `world init`, then
    # refunds the same duplicate charge under its own key.
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_init_and_refund, args=(pg.url, str(tmp_path / f"h{i}"), f"k{i}"))
        for i in range(4)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert sorted(proc.exitcode for proc in procs) == [0, 3, 3, 3]
    counts = _counts(World(tmp_path, database=pg))
    assert (counts["customers"], counts["charges"], counts["refunds"]) == (8, 18, 2)


def test_constraints_hold_in_postgres(pg: PostgresDatabase, tmp_path: Path) -> None:
    World(tmp_path, database=pg).init()
    bad = [
        "INSERT INTO baton_world.refunds VALUES ('re_x', 'ch_5531_2', 5531, 1042, 0, 'USD',"
        " 'zero', 'k-zero', '2025-06-01T00:00:00Z')",
        "INSERT INTO baton_world.refunds VALUES ('re_y', 'ch_5531_2', 5531, 1042, 100, 'USD',"
        " 'again', 'seed-refund-5495', '2025-06-01T00:00:00Z')",
        "UPDATE baton_world.charges SET status = 'pending' WHERE id = 'ch_5531_2'",
        "INSERT INTO baton_world.orders VALUES (9999, 4242, 'x', 1, 'USD', 'paid', 'now')",
    ]
    for statement in bad:
        with psycopg.connect(pg.url) as conn, pytest.raises(psycopg.errors.IntegrityError):
            conn.execute(statement)


def test_reset_empties_refunds_tickets_and_sent_emails(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    world = World(tmp_path / "home", database=pg)
    world.init()
    issue_refund(world, REFUND, "k-reset")
    ticket = FileTicketArgs(
        product="Billing", severity="low", title="A ticket", summary="Something is off.", body="x"
    )
    assert file_ticket(world, ticket, "k-ticket")["ticket_id"] == 1
    email = SendEmailArgs(to="dana.whitfield@example.com", subject="Hi", body="Refunded.")
    send_email(world, email, "k-reset")
    assert len(outbox_messages(world)) == 1

    world.reset()

    assert _counts(world)["refunds"] == 1  # the seeded one
    assert outbox_messages(world) == []
    assert not list(world.outbox_dir.iterdir())
    assert file_ticket(world, ticket, "k-ticket-2")["ticket_id"] == 1  # ids start over


def test_search_and_citations_match_the_sqlite_world(pg: PostgresDatabase, tmp_path: Path) -> None:
    on_pg = World(tmp_path / "pg", database=pg)
    on_pg.init()
    on_sqlite = World(tmp_path / "sqlite")
    on_sqlite.init()
    for query in ("duplicate charge refund", "escalate outage", "tone greeting", "annual plan"):
        assert search(on_pg, query, 5) == search(on_sqlite, query, 5)


def test_reads_are_sent_again_when_the_server_ended_their_connections(
    pg: PostgresDatabase, tmp_path: Path
) -> None:
    world = World(tmp_path, database=pg)
    world.init()
    assert check_recipient(world, 1042, "dana.whitfield@example.com")
    with psycopg.connect(pg.url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name = 'baton-world' AND pid <> pg_backend_pid()"
        ).fetchall()
    assert ended  # the world's pooled connections
    assert check_recipient(world, 1042, "dana.whitfield@example.com")
    assert run_query(world, "SELECT COUNT(*) FROM orders")["rows"] == [[15]]
