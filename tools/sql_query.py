"""The ``sql_query`` tool: read-only SQL over the business database for analysts.

Three independent locks keep it read-only: a read-only connection with ``query_only``, a
check that the text is one SELECT/WITH statement, and an authorizer that denies every
action except reading. ``internal_notes`` stays queryable (analysts are internal); the
review rules keep its contents out of customer messages.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World
from tools.world_db import connect

ROW_CAP = 50
TIME_LIMIT_S = 2.0
_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
# Comments and whitespace a model may put before the first keyword.
_LEADING_NOISE = re.compile(r"\A(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.DOTALL)
_READ_KEYWORD = re.compile(r"(?:SELECT|WITH)\b", re.IGNORECASE)


class SqlQueryArgs(BaseModel):
    """Arguments of ``sql_query``."""

    model_config = ConfigDict(extra="forbid")

    sql: str = Field(
        min_length=1,
        max_length=5000,
        description=(
            "One SQLite SELECT (or WITH ... SELECT) statement. Tables: customers, orders, "
            "charges, refunds, tickets, internal_notes. Money columns are integer cents."
        ),
    )


def _authorize(action: int, *_: str | None) -> int:
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def _json_value(value: Any) -> Any:
    # BLOBs are not JSON; hex keeps them visible without breaking the result.
    return value.hex() if isinstance(value, bytes) else value


def run_query(world: World, sql: str) -> dict[str, Any]:
    """Run one read-only statement; raises ``ToolRejected`` with SQLite's reason if refused."""
    statement = sql.strip().rstrip(";").strip()
    body = statement[_LEADING_NOISE.match(statement).end() :]  # type: ignore[union-attr]
    if not _READ_KEYWORD.match(body):
        raise ToolRejected("only a single SELECT (or WITH ... SELECT) statement is allowed")
    conn = connect(world, readonly=True)
    deadline = time.monotonic() + TIME_LIMIT_S
    # A non-zero return aborts the statement: bounds runaway joins and recursive CTEs.
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    conn.set_authorizer(_authorize)
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
    return {
        "columns": columns,
        "rows": [[_json_value(v) for v in row] for row in rows[:ROW_CAP]],
        "truncated": len(rows) > ROW_CAP,
    }


def build_sql_query(world: World) -> ToolSpec:
    """Build the read-only SQL tool over ``world``'s business database."""

    def run(args: SqlQueryArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return run_query(world, args.sql)

    return ToolSpec(
        name="sql_query",
        description=(
            "Run one read-only SQL SELECT against the business database (customers, orders, "
            f"charges, refunds, tickets, internal_notes). At most {ROW_CAP} rows are returned; "
            "amounts are in cents. Writes are refused."
        ),
        args_schema=SqlQueryArgs,
        reversible=True,
        run=run,
    )
