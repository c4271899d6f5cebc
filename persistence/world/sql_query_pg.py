"""``sql_query`` on PostgreSQL: one read-only SELECT over the world's tables, masked.

Locks, each enough on its own for what it guards:

- the statement runs wrapped as a subquery (``SELECT * FROM (<sql>) LIMIT 21``), so it is
  exactly one SELECT (a second statement is a syntax error), in a ``READ ONLY``
  transaction with ``statement_timeout`` equal to the tool's time limit, rolled back after;
- it runs as ``baton_world_reader`` (``SET LOCAL ROLE``), a role granted nothing but
  ``SELECT`` on this query's temporary views: the world's own tables (schema
  ``baton_world``), Baton's tables and server files are permission errors;
- ``search_path`` is the session's temporary schema alone, where one view per world table
  has the table's name; the ``customers`` view masks contact fields
  (``schema.CONTACT_FIELDS``, through ``sql_query.masked_columns``) except for the
  customers the step is about;
- text naming what lies outside those views (``pg_`` catalogs and functions,
  ``information_schema``, the ``baton_world`` schema, ``set_config``, dynamic-SQL
  functions, ``U&`` escapes) is refused before it reaches the server.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from psycopg import Error as PgError
from psycopg import Rollback
from psycopg.errors import QueryCanceled
from psycopg.rows import tuple_row

from persistence.database import PostgresDatabase
from persistence.postgres.pool import retrying
from persistence.world.schema import QUERYABLE, READER_ROLE
from persistence.world.sql_query import Limits, QueryRefused, masked_columns
from persistence.world.store import SCHEMA, pg_pool

_OUTSIDE = re.compile(
    r"pg_|information_schema|baton_world|set_config|current_setting|_to_xml|xmlschema"
    r"|ts_stat|ts_rewrite|\blo_|dblink|\bu&",
    re.IGNORECASE,
)


def outside_reference(statement: str) -> str | None:
    """The first text naming something outside the world's views, if any."""
    found = _OUTSIDE.search(statement)
    return found.group(0) if found else None


def _views(conn: Any, shown: set[int], mask: str) -> None:
    """One temporary view per queryable table, contact fields masked outside ``shown``."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = %s ORDER BY table_name, ordinal_position",
        (SCHEMA,),
    ).fetchall()
    for table in QUERYABLE:
        columns = [str(r["column_name"]) for r in rows if r["table_name"] == table]
        select = masked_columns(table, columns, shown, mask)
        conn.execute(f'CREATE TEMP VIEW "{table}" AS SELECT {select} FROM {SCHEMA}."{table}"')
    names = ", ".join(f'pg_temp."{t}"' for t in QUERYABLE)
    conn.execute(f"GRANT SELECT ON {names} TO {READER_ROLE}")


def _subjects(conn: Any, customer_id: int | None, order_id: int | None) -> set[int]:
    shown = {customer_id} if customer_id is not None else set()
    if order_id is not None:
        row = conn.execute(
            f"SELECT customer_id FROM {SCHEMA}.orders WHERE id = %s", (order_id,)
        ).fetchone()
        if row is not None:
            shown.add(int(row["customer_id"]))
    return {int(c) for c in shown}


def json_value(value: Any) -> Any:
    """A column value as JSON carries it (numbers, text; bytes as hex)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def run(
    database: PostgresDatabase,
    statement: str,
    customer_id: int | None,
    order_id: int | None,
    limits: Limits,
) -> tuple[list[str], list[list[Any]], set[int]]:
    """Columns, up to ``row_cap + 1`` rows, and the customers shown unmasked."""
    outside = outside_reference(statement)
    if outside is not None:
        raise QueryRefused(
            f"query refused: {outside!r} is outside the world's tables (customers, orders, "
            "charges, refunds, tickets, internal_notes)"
        )
    pool = pg_pool(database)

    def attempt() -> tuple[list[str], list[list[Any]], set[int]]:
        result: tuple[list[str], list[list[Any]], set[int]] = ([], [], set())
        with pool.write() as conn:
            shown = _subjects(conn, customer_id, order_id)
            _views(conn, shown, limits.mask)
            conn.execute("SET LOCAL search_path TO pg_temp")
            conn.execute(f"SET LOCAL statement_timeout = {int(limits.time_limit_s * 1000)}")
            conn.execute("SET LOCAL transaction_read_only = on")
            conn.execute(f"SET LOCAL ROLE {READER_ROLE}")
            cursor = conn.cursor(row_factory=tuple_row)
            cursor.execute(f"SELECT * FROM (\n{statement}\n) AS query LIMIT {limits.row_cap + 1}")
            columns = [d.name for d in cursor.description or ()]
            rows = [[json_value(v) for v in row] for row in cursor.fetchall()]
            result = (columns, rows, shown)
            raise Rollback  # the views and settings go with the transaction
        return result

    try:
        return retrying(attempt, pool.pool)  # sent again if its connection was lost
    except QueryCanceled as exc:
        raise QueryRefused("query refused: query took too long") from exc
    except PgError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise QueryRefused(f"query refused: {reason}") from exc
