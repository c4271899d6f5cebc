"""The ``sql_query`` tool: read-only SQL over the business database for analysts.

The statement runs through the world's read-only executor (``persistence.world.sql_query``
on SQLite, ``persistence.world.sql_query_pg`` on PostgreSQL): one SELECT/WITH statement,
refused if it would write, bounded in time. ``internal_notes`` stays queryable (analysts
are internal); the review rules keep its contents out of customer messages.

Least data: at most ``ROW_CAP`` rows come back, and contact fields
(``persistence.world.schema.CONTACT_FIELDS``: names, emails, phones) read as ``[masked]``
except for the customer the step is about (``customer_id``, or the owner of ``order_id``).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from persistence.world import sql_query as sqlite_executor
from persistence.world import sql_query_pg
from persistence.world.schema import CONTACT_FIELDS
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World

ROW_CAP = 20
MASK = "[masked]"
TIME_LIMIT_S = 2.0
_LIMITS = sqlite_executor.Limits(row_cap=ROW_CAP, time_limit_s=TIME_LIMIT_S, mask=MASK)


class SqlQueryArgs(BaseModel):
    """Arguments of ``sql_query`` (the world in SQLite)."""

    model_config = ConfigDict(extra="forbid")

    sql: str = Field(
        min_length=1,
        max_length=5000,
        description=(
            "One SQLite SELECT (or WITH ... SELECT) statement. Tables: customers, orders, "
            "charges, refunds, tickets, internal_notes. Money columns are integer cents."
        ),
    )
    customer_id: int | None = Field(
        default=None,
        gt=0,
        description="The customer this step is about: their name and email are shown; every "
        "other customer's read as '[masked]'.",
    )
    order_id: int | None = Field(
        default=None,
        gt=0,
        description="The order this step is about: its owner's name and email are shown.",
    )


class PgSqlQueryArgs(SqlQueryArgs):
    """Arguments of ``sql_query`` with the world in PostgreSQL: the same, another dialect."""

    sql: str = Field(
        min_length=1,
        max_length=5000,
        description=(
            "One PostgreSQL SELECT (or WITH ... SELECT) statement. Tables: customers, orders, "
            "charges, refunds, tickets, internal_notes. Money columns are integer cents."
        ),
    )


def run_query(
    world: World, sql: str, customer_id: int | None = None, order_id: int | None = None
) -> dict[str, Any]:
    """Run one read-only statement; raises ``ToolRejected`` with SQLite's reason if refused.

    Contact fields are masked except for ``customer_id`` and the owner of ``order_id``.
    """
    try:
        statement = sqlite_executor.read_statement(sql)
        if world.database is not None:
            found = sql_query_pg.run(world.database, statement, customer_id, order_id, _LIMITS)
            return _result(*found, _names_contact(statement))
        return _result(*sqlite_executor.run(world, statement, customer_id, order_id, _LIMITS))
    except sqlite_executor.QueryRefused as exc:
        raise ToolRejected(str(exc)) from exc


def _names_contact(statement: str) -> bool:
    """Whether a statement reads customers' contact fields (or all their columns)."""
    contact = {c for _, columns in CONTACT_FIELDS.values() for c in columns}
    words = {w.casefold() for w in re.findall(r"\w+|\*", statement)}
    return bool(words & set(CONTACT_FIELDS)) and bool(words & (contact | {"*"}))


def _result(
    columns: list[str], rows: list[list[Any]], shown: set[int], read_contact: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "columns": columns,
        "rows": rows[:ROW_CAP],
        "truncated": len(rows) > ROW_CAP,
    }
    if read_contact:
        whose = ", ".join(f"customer {c}" for c in sorted(shown)) or "no customer"
        result["masked"] = (
            f"contact fields (names, emails) are shown only for {whose}; other customers' "
            "read as '[masked]' or null. Name the customer or order the step is about to "
            "see theirs; never list other customers."
        )
    return result


def build_sql_query(world: World) -> ToolSpec:
    """Build the read-only SQL tool over ``world``'s business database."""

    def run(args: SqlQueryArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return run_query(world, args.sql, args.customer_id, args.order_id)

    dialect = "SQLite" if world.database is None else "PostgreSQL"
    return ToolSpec(
        name="sql_query",
        description=(
            f"Run one read-only {dialect} SELECT against the business database (customers, "
            "orders, "
            f"charges, refunds, tickets, internal_notes). At most {ROW_CAP} rows are returned; "
            "amounts are in cents. Writes are refused. Customers' names and emails are masked "
            "except for the customer (customer_id) or order owner (order_id) the step is about; "
            "find a customer by name or email with find_customer."
        ),
        args_schema=SqlQueryArgs if world.database is None else PgSqlQueryArgs,
        reversible=True,
        run=run,
    )
