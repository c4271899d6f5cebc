"""The ``sql_query`` tool: read-only SQL over the business database for analysts.

With the world in PostgreSQL the statement runs there (``tools.sql_query_pg``: the same
rules, PostgreSQL's own locks). On SQLite, three independent locks keep it read-only: a
connection with ``query_only``, a check that the text is one SELECT/WITH statement, and an
authorizer that denies every action except reading. ``internal_notes`` stays queryable
(analysts are internal); the review rules keep its contents out of customer messages.

Least data: at most ``ROW_CAP`` rows come back, and contact fields
(``business_db.CONTACT_FIELDS``: names, emails, phones) read as ``[masked]`` except for the
customer the step is about (``customer_id``, or the owner of ``order_id``). A temporary
view with the table's own name shadows it and masks row by row; the authorizer makes the
same columns read as NULL when a query names ``main.<table>`` to get around the view.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools import sql_query_pg
from tools.business_db import CONTACT_FIELDS
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World
from tools.world_db import connect

ROW_CAP = 20
MASK = "[masked]"
TIME_LIMIT_S = 2.0
_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# Comments and whitespace a model may put before the first keyword.
_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_READ_KEYWORD = re.compile(r"(?:SELECT|WITH)\b", re.IGNORECASE)


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


def _contact(table: str, column: str) -> bool:
    found = CONTACT_FIELDS.get(table)
    return found is not None and column in found[1]


class _Authorizer:
    """Allow reads only, and keep contact columns behind the masking views.

    A contact column read from the real table (not through the view of the same name)
    comes back as NULL; whether any contact column was read at all is noted.
    """

    def __init__(self) -> None:
        self.read_contact = False

    def __call__(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None
    ) -> int:
        if action not in _ALLOWED_ACTIONS:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_READ and _contact(arg1 or "", arg2 or ""):
            self.read_contact = True
            if db == "main" and source != arg1:
                return sqlite3.SQLITE_IGNORE
        return sqlite3.SQLITE_OK


def _subjects(conn: sqlite3.Connection, customer_id: int | None, order_id: int | None) -> set[int]:
    """The customers whose contact fields the step may see."""
    shown = {customer_id} if customer_id is not None else set()
    if order_id is not None:
        row = conn.execute("SELECT customer_id FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is not None:
            shown.add(int(row[0]))
    return {int(c) for c in shown if c is not None}


def _mask_views(conn: sqlite3.Connection, shown: set[int]) -> None:
    """Shadow each table holding contact fields with a temp view that masks other rows."""
    allowed = ", ".join(str(i) for i in sorted(shown)) or "NULL"
    for table, (id_column, contact) in CONTACT_FIELDS.items():
        columns = [str(r[1]) for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
        if not columns:
            continue
        select = ", ".join(
            f'CASE WHEN "{id_column}" IN ({allowed}) THEN "{c}" ELSE \'{MASK}\' END AS "{c}"'
            if c in contact
            else f'"{c}"'
            for c in columns
        )
        conn.execute(f'CREATE TEMP VIEW "{table}" AS SELECT {select} FROM main."{table}"')


def _json_value(value: Any) -> Any:
    # BLOBs are not JSON; hex keeps them visible without breaking the result.
    return value.hex() if isinstance(value, bytes) else value


def run_query(
    world: World, sql: str, customer_id: int | None = None, order_id: int | None = None
) -> dict[str, Any]:
    """Run one read-only statement; raises ``ToolRejected`` with SQLite's reason if refused.

    Contact fields are masked except for ``customer_id`` and the owner of ``order_id``.
    """
    statement = sql.strip().rstrip(";").strip()
    body = statement[_LEADING_NOISE.match(statement).end() :]  # type: ignore[union-attr]
    if not _READ_KEYWORD.match(body):
        raise ToolRejected("only a single SELECT (or WITH ... SELECT) statement is allowed")
    if world.database is not None:
        columns, rows, shown = sql_query_pg.run(
            world.database,
            statement,
            customer_id,
            order_id,
            row_cap=ROW_CAP,
            time_limit_s=TIME_LIMIT_S,
            mask=MASK,
        )
        return _result(columns, rows, shown, _names_contact(statement))
    conn = connect(world, readonly=True)
    # The views live in the connection's own temp schema; the world file stays untouched.
    conn.execute("PRAGMA query_only=OFF")
    shown = _subjects(conn, customer_id, order_id)
    _mask_views(conn, shown)
    conn.execute("PRAGMA query_only=ON")
    deadline = time.monotonic() + TIME_LIMIT_S
    # A non-zero return aborts the statement: bounds runaway joins and recursive CTEs.
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    authorizer = _Authorizer()
    conn.set_authorizer(authorizer)
    try:
        cursor = conn.execute(statement)
        rows = cursor.fetchmany(ROW_CAP + 1)
        columns = [d[0] for d in cursor.description or ()]
    except sqlite3.ProgrammingError as exc:
        raise ToolRejected(f"only a single statement is allowed ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        reason = "query took too long" if "interrupted" in str(exc) else str(exc)
        raise ToolRejected(f"query refused: {reason}") from exc
    finally:
        conn.close()
    values = [[_json_value(v) for v in row] for row in rows]
    return _result(columns, values, shown, authorizer.read_contact)


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
