"""The policy knowledge base's index: an SQLite FTS5 table, one row per ``## Section``.

With the world in ``world.db`` the index lives there (``kb_docs``: each doc's text;
``kb_sections``: the FTS5 table). With the world in PostgreSQL it is derived data each
process builds in memory from the shipped docs on first use (nothing to migrate or share
between replicas), searched with the same statement, so results and citations are
identical on both engines. The docs themselves (which ship, how a query becomes a MATCH
expression) are ``tools.knowledge_base``'s; the caller passes them in.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING

from persistence.world.connect import connect

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace

Docs = Callable[[], Mapping[str, str]]
"""The shipped docs, keyed by name (e.g. ``"refund-policy"``), as markdown."""

INTRO_SECTION = "Overview"
"""Text above the first ``## `` heading is indexed under this section name."""

_MEMORY: dict[str, sqlite3.Connection] = {}
_MEMORY_LOCK = threading.Lock()


def split_sections(text: str) -> list[tuple[str, str]]:
    """Split a markdown doc into ``(section heading, body)`` pairs at ``## `` headings."""
    sections: list[tuple[str, str]] = []
    heading, lines = INTRO_SECTION, list[str]()
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append((heading, "\n".join(lines).strip()))
            heading, lines = line[3:].strip(), []
        elif not line.startswith("# "):
            lines.append(line)
    sections.append((heading, "\n".join(lines).strip()))
    return [(name, body) for name, body in sections if body]


def _indexed(conn: sqlite3.Connection) -> dict[str, str]:
    return {row[0]: row[1] for row in conn.execute("SELECT doc, text FROM kb_docs")}


def docs_current(conn: sqlite3.Connection, docs: Mapping[str, str]) -> bool:
    """Whether the indexed docs are ``docs`` (reads only)."""
    return _indexed(conn) == dict(docs)


def index_docs(conn: sqlite3.Connection, docs: Mapping[str, str]) -> None:
    """(Re)build the index when ``docs`` differ from the indexed ones.

    Runs inside the caller's transaction; comparing texts rather than trusting a marker
    means an upgraded package with edited docs is re-indexed when the world is next opened.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS kb_docs (doc TEXT PRIMARY KEY, text TEXT NOT NULL)")
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS kb_sections USING fts5("
        "doc UNINDEXED, section, body, tokenize='porter unicode61')"
    )
    if _indexed(conn) == dict(docs):
        return
    conn.execute("DELETE FROM kb_docs")
    conn.execute("DELETE FROM kb_sections")
    for name, text in docs.items():
        conn.execute("INSERT INTO kb_docs VALUES (?, ?)", (name, text))
        conn.executemany(
            "INSERT INTO kb_sections (doc, section, body) VALUES (?, ?, ?)",
            [(name, section, body) for section, body in split_sections(text)],
        )


@contextmanager
def _index(world: WorldPlace, docs: Docs) -> Iterator[sqlite3.Connection]:
    """The index to read: the world file's, or (world in PostgreSQL) the process's own."""
    if world.database is None:
        with closing(connect(world, readonly=True)) as conn:
            yield conn
        return
    with _MEMORY_LOCK:  # one connection, used by one thread at a time
        if "index" not in _MEMORY:
            built = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            built.row_factory = sqlite3.Row
            index_docs(built, docs())
            _MEMORY["index"] = built
        yield _MEMORY["index"]


def search_sections(world: WorldPlace, expression: str, k: int, docs: Docs) -> list[sqlite3.Row]:
    """Up to ``k`` sections matching an FTS5 ``expression``, best first.

    Each row has ``doc``, ``section``, ``snippet`` and ``rank`` (bm25: lower is better).
    """
    with _index(world, docs) as conn:
        rows: list[sqlite3.Row] = conn.execute(
            # Column weights: doc is unindexed, a heading match counts double a body match.
            "SELECT doc, section, snippet(kb_sections, 2, '', '', ' … ', 64) AS snippet,"
            " bm25(kb_sections, 0.0, 2.0, 1.0) AS rank"
            " FROM kb_sections WHERE kb_sections MATCH ? ORDER BY rank LIMIT ?",
            (expression, k),
        ).fetchall()
    return rows


def doc_text(world: WorldPlace, doc: str, docs: Docs) -> tuple[str | None, list[str]]:
    """The full markdown of one doc as indexed; without it, None and the indexed docs' names."""
    with _index(world, docs) as conn:
        row = conn.execute("SELECT text FROM kb_docs WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            return None, [r[0] for r in conn.execute("SELECT doc FROM kb_docs ORDER BY doc")]
        return str(row["text"]), []
