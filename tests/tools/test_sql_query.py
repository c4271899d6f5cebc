from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tools.spec import ToolCallContext, ToolRejected
from tools.sql_query import ROW_CAP, build_sql_query, run_query
from tools.world import World
from tools.world_db import connect


def _dump(world: World) -> list[Any]:
    conn = connect(world, readonly=True)
    try:
        return [tuple(r) for r in conn.iterdump()]
    finally:
        conn.close()


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
    sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 80) SELECT x FROM c"
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
    with pytest.raises(ToolRejected, match="no such table: invoices"):
        run_query(world, "SELECT * FROM invoices")


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
def test_the_mask_cannot_be_queried_around(world: World, sql: str) -> None:
    result = run_query(world, sql, customer_id=1042)
    assert not any(value.casefold() in _flat(result).casefold() for value in OTHER_CUSTOMERS)
    assert result["rows"] in ([], [[None]]) or all(
        cell in (None, "[masked]") for row in result["rows"] for cell in row
    )


def test_columns_without_contact_data_are_untouched(world: World) -> None:
    result = run_query(world, "SELECT id, amount_cents FROM charges WHERE order_id = 5531")
    assert "masked" not in result
    assert result["rows"] == [["ch_5531_1", 12900], ["ch_5531_2", 12900]]
