"""``sql_query``'s executor on SQLite: one read-only statement over ``world.db``, masked.

The statement's text is checked first on either engine (``read_statement``: one
SELECT/WITH statement); with the world in PostgreSQL it then runs there
(``persistence.world.sql_query_pg``: the same rules, PostgreSQL's own locks). On SQLite,
three independent locks keep it read-only: a connection with ``query_only``, that text
check, and an authorizer that denies every action except reading.

Contact fields (``schema.CONTACT_FIELDS``: names, emails, phones) read as the mask except
for the customers the step is about (``customer_id``, or the owner of ``order_id``). A
temporary view with the table's own name shadows it and masks row by row; the authorizer
makes the same columns read as NULL when a query names ``main.<table>`` to get around the
view. The views live in the connection's own temp schema; the world file stays untouched.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from persistence.world.connect import connect
from persistence.world.schema import CONTACT_FIELDS

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace

_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# Comments and whitespace a model may put before the first keyword.
_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_READ_KEYWORD = re.compile(r"(?:SELECT|WITH)\b", re.IGNORECASE)


class QueryRefused(ValueError):
    """A statement the read-only executor will not run; the message says why."""


@dataclass(frozen=True)
class Limits:
    """What a query may return (rows; one more is read, to tell it was cut) and take (time).

    ``mask`` is what a masked contact field reads as.
    """

    row_cap: int
    time_limit_s: float
    mask: str


def read_statement(sql: str) -> str:
    """The statement to run (trailing ``;`` dropped); ``QueryRefused`` unless it reads."""
    statement = sql.strip().rstrip(";").strip()
    body = statement[_LEADING_NOISE.match(statement).end() :]  # type: ignore[union-attr]
    if not _READ_KEYWORD.match(body):
        raise QueryRefused("only a single SELECT (or WITH ... SELECT) statement is allowed")
    return statement


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


def masked_columns(table: str, columns: list[str], shown: set[int], mask: str) -> str:
    """The select list of ``table``'s masking view; contact fields masked outside ``shown``."""
    allowed = ", ".join(str(i) for i in sorted(shown)) or "NULL"
    id_column, contact = CONTACT_FIELDS.get(table, ("", ()))
    return ", ".join(
        f'CASE WHEN "{id_column}" IN ({allowed}) THEN "{c}" ELSE \'{mask}\' END AS "{c}"'
        if c in contact
        else f'"{c}"'
        for c in columns
    )


def _mask_views(conn: sqlite3.Connection, shown: set[int], mask: str) -> None:
    """Shadow each table holding contact fields with a temp view that masks other rows."""
    for table in CONTACT_FIELDS:
        columns = [str(r[1]) for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
        if not columns:
            continue
        select = masked_columns(table, columns, shown, mask)
        conn.execute(f'CREATE TEMP VIEW "{table}" AS SELECT {select} FROM main."{table}"')


def _json_value(value: Any) -> Any:
    # BLOBs are not JSON; hex keeps them visible without breaking the result.
    return value.hex() if isinstance(value, bytes) else value


def run(
    world: WorldPlace,
    statement: str,
    customer_id: int | None,
    order_id: int | None,
    limits: Limits,
) -> tuple[list[str], list[list[Any]], set[int], bool]:
    """Columns, up to ``row_cap + 1`` rows, the customers shown, whether contact was read.

    Raises ``QueryRefused`` with SQLite's reason if the statement is refused.
    """
    conn = connect(world, readonly=True)
    conn.execute("PRAGMA query_only=OFF")
    shown = _subjects(conn, customer_id, order_id)
    _mask_views(conn, shown, limits.mask)
    conn.execute("PRAGMA query_only=ON")
    deadline = time.monotonic() + limits.time_limit_s
    # A non-zero return aborts the statement: bounds runaway joins and recursive CTEs.
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    authorizer = _Authorizer()
    conn.set_authorizer(authorizer)
    try:
        cursor = conn.execute(statement)
        rows = cursor.fetchmany(limits.row_cap + 1)
        columns = [d[0] for d in cursor.description or ()]
    except sqlite3.ProgrammingError as exc:
        raise QueryRefused(f"only a single statement is allowed ({exc})") from exc
    except sqlite3.DatabaseError as exc:
        reason = "query took too long" if "interrupted" in str(exc) else str(exc)
        raise QueryRefused(f"query refused: {reason}") from exc
    finally:
        conn.close()
    values = [[_json_value(v) for v in row] for row in rows]
    return columns, values, shown, authorizer.read_contact
