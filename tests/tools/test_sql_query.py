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
