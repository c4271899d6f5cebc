from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from persistence.world import sql_query_pg
from persistence.world.schema import QUERYABLE
from persistence.world.store import read
from tools.spec import ToolCallContext, ToolRejected
from tools.sql_query import ROW_CAP, build_sql_query, run_query
from tools.world import World


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines unless it names one."""
    return engine_world


@pytest.fixture
def sqlite_world(tmp_path: Path) -> World:
    world = World(tmp_path / "sqlite")
    world.init()
    return world


def _dump(world: World) -> list[Any]:
    with read(world) as conn:
        return [
            sorted(repr(dict(r)) for r in conn.execute(f"SELECT * FROM {table}"))
            for table in QUERYABLE
        ]


def test_select_returns_columns_and_rows(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    spec = build_sql_query(world)
    args = spec.validate_args(
        {"sql": "SELECT id, amount_cents FROM charges WHERE order_id = 5531 ORDER BY id;"}
    )
    result = spec.run(args, make_ctx())
    assert result == {
        "columns": ["id", "amount_cents"],
        "rows": [["ch_5531_1", 12900], ["ch_5531_2", 12900]],
        "truncated": False,
    }


def test_with_and_leading_comments_are_allowed(world: World) -> None:
    sql = "-- duplicates\n/* per order */ WITH d AS (SELECT order_id, COUNT(*) n FROM charges"
    sql += " WHERE status = 'captured' GROUP BY order_id) SELECT order_id FROM d WHERE n > 1"
    assert run_query(world, sql)["rows"] == [[5531], [5602]]


def test_rows_are_capped(world: World) -> None:
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 80) "
    sql += "SELECT x FROM c"
    result = run_query(world, sql)
    assert len(result["rows"]) == ROW_CAP
    assert result["truncated"] is True


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM refunds",
        "UPDATE orders SET amount_cents = 0",
        "INSERT INTO refunds (id) VALUES ('x')",
        "DROP TABLE customers",
        "PRAGMA journal_mode = DELETE",
        "SET transaction_read_only = off",
        "SELECT * FROM customers FOR UPDATE",
        "SELECT 1) AS q; DELETE FROM refunds; SELECT (1",
        "ATTACH DATABASE ':memory:' AS other",
        "SELECT 1; DELETE FROM refunds",
        "SELECT 1; SELECT 2",
        "WITH x AS (SELECT 1) DELETE FROM refunds",
        "SELECT * FROM pragma_table_info('orders')",
        "/* SELECT */ DELETE FROM refunds",
        "VACUUM",
    ],
)
def test_anything_but_one_read_is_rejected_and_db_unchanged(world: World, sql: str) -> None:
    before = _dump(world)
    with pytest.raises(ToolRejected):
        run_query(world, sql)
    assert _dump(world) == before


def test_errors_are_reported_to_the_model(world: World) -> None:
    reason = "no such table: invoices" if world.database is None else '"invoices" does not exist'
    with pytest.raises(ToolRejected, match=reason):
        run_query(world, "SELECT * FROM invoices")


def test_the_description_names_the_engine_s_dialect(world: World) -> None:
    spec = build_sql_query(world)
    dialect = "SQLite" if world.database is None else "PostgreSQL"
    assert f"read-only {dialect} SELECT" in spec.description
    schema = spec.args_schema.model_json_schema()
    assert schema["properties"]["sql"]["description"].startswith(f"One {dialect} SELECT")


def test_runaway_query_is_stopped(world: World) -> None:
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT COUNT(*) FROM c"
    with pytest.raises(ToolRejected, match="too long"):
        run_query(world, sql)


def test_internal_notes_are_queryable_by_analysts(world: World) -> None:
    assert run_query(world, "SELECT COUNT(*) FROM internal_notes")["rows"] == [[3]]


# --- least data ----------------------------------------------------------------------------

OTHER_CUSTOMERS = (
    "Aisha Okafor",
    "aisha.okafor@example.com",
    "Marco Ruiz",
    "marco.ruiz@example.com",
)


def _flat(result: dict[str, Any]) -> str:
    return repr(result["rows"])


def test_contact_fields_of_other_customers_are_masked(world: World) -> None:
    result = run_query(world, "SELECT id, name, email, tier FROM customers ORDER BY id")
    assert len(result["rows"]) == 8
    assert all(row[1:3] == ["[masked]", "[masked]"] for row in result["rows"])
    assert [row[3] for row in result["rows"]][:2] == ["business", "pro"]  # the rest is there
    assert "masked" in result["masked"]
    assert not any(value in _flat(result) for value in OTHER_CUSTOMERS)


def test_the_customer_the_step_is_about_is_shown(world: World) -> None:
    sql = (
        "SELECT ch.id, cu.name, cu.email FROM charges ch JOIN customers cu"
        " ON cu.id = ch.customer_id WHERE ch.order_id IN (5531, 5602) ORDER BY ch.id"
    )
    by_order = run_query(world, sql, order_id=5531)
    assert by_order["rows"] == [
        ["ch_5531_1", "Dana Whitfield", "dana.whitfield@example.com"],
        ["ch_5531_2", "Dana Whitfield", "dana.whitfield@example.com"],
        ["ch_5602_1", "[masked]", "[masked]"],
        ["ch_5602_2", "[masked]", "[masked]"],
    ]
    assert run_query(world, sql, customer_id=1077)["rows"][2][1] == "Marco Ruiz"
    assert "customer 1042" in by_order["masked"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, email FROM main.customers",
        "WITH c AS (SELECT * FROM main.customers) SELECT name, email FROM c",
        "SELECT (SELECT group_concat(email) FROM main.customers)",
        "SELECT upper(name) || lower(email) FROM main.customers",
        "SELECT name FROM customers WHERE name LIKE 'A%'",
        "SELECT id FROM main.customers WHERE email LIKE 'aisha%'",
    ],
)
def test_the_mask_cannot_be_queried_around(sqlite_world: World, sql: str) -> None:
    result = run_query(sqlite_world, sql, customer_id=1042)
    assert not any(value.casefold() in _flat(result).casefold() for value in OTHER_CUSTOMERS)
    assert result["rows"] in ([], [[None]]) or all(
        cell in (None, "[masked]") for row in result["rows"] for cell in row
    )


def test_columns_without_contact_data_are_untouched(world: World) -> None:
    result = run_query(world, "SELECT id, amount_cents FROM charges WHERE order_id = 5531")
    assert "masked" not in result
    assert result["rows"] == [["ch_5531_1", 12900], ["ch_5531_2", 12900]]


_OTHERS = re.compile("|".join(OTHER_CUSTOMERS), re.IGNORECASE)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT name, email FROM baton_world.customers",
        'SELECT name, email FROM "baton_world"."customers"',
        "SELECT email FROM BATON_WORLD.customers",
        'SELECT email FROM U&"baton\\005fworld".customers',
        "SELECT name FROM customers WHERE name LIKE 'A%'",
        "SELECT string_agg(email, ',') FROM customers",
        "WITH c AS (SELECT * FROM customers) SELECT name, email FROM c",
        "SELECT tablename FROM pg_catalog.pg_tables",
        "SELECT table_name FROM information_schema.tables",
        "SELECT * FROM public.baton_migrations",
        "SELECT pg_read_file('/etc/hostname')",
        "SELECT set_config('role', 'none', true)",
        "SELECT query_to_xml('SELECT email FROM baton_world.customers', true, true, '')",
        "SELECT * FROM ts_stat('SELECT to_tsvector(email) FROM baton_world.customers')",
    ],
)
def test_postgres_keeps_queries_inside_the_masked_views(engine_world: World, sql: str) -> None:
    if engine_world.database is None:
        return  # the SQLite forms are test_the_mask_cannot_be_queried_around's
    before = _dump(engine_world)
    try:
        result = run_query(engine_world, sql, customer_id=1042)
    except ToolRejected:
        result = {"rows": []}
    assert not _OTHERS.search(_flat(result))
    assert _dump(engine_world) == before


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("SELECT email FROM baton_world.customers", "permission denied for schema baton_world"),
        ("SELECT * FROM public.baton_migrations", "permission denied for table"),
        ("SELECT pg_read_file('/etc/hostname')", "permission denied for function"),
        ("SELECT count(*) FROM pg_temp.customers", None),
    ],
)
def test_postgres_reader_role_alone_keeps_the_world_tables_out_of_reach(
    engine_world: World, monkeypatch: pytest.MonkeyPatch, sql: str, refusal: str | None
) -> None:
    # With the text check off, the role the statement runs as still refuses the rest.
    if engine_world.database is None:
        return
    monkeypatch.setattr(sql_query_pg, "_OUTSIDE", re.compile(r"(?!)"))
    if refusal is None:
        assert run_query(engine_world, sql)["rows"] == [[8]]
        return
    with pytest.raises(ToolRejected, match=refusal):
        run_query(engine_world, sql)
