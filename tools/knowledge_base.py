"""The support knowledge base: markdown policy docs indexed for full-text search (FTS5).

Docs ship inside the package (``tools/kb_docs``) and are copied into an SQLite FTS5 index,
one row per ``## Section``, so search and the review rules read the same text. With the
world in ``world.db`` the index lives there too; with the world in PostgreSQL it is
derived data each process builds in memory from the shipped docs on first use (nothing to
migrate or share between replicas), searched with the same statement, so results and
citations are identical on both engines.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from tools.world_db import connect

if TYPE_CHECKING:
    from tools.world import World

# Text above the first "## " heading is indexed under this section name.
INTRO_SECTION = "Overview"
# Enough terms for any real question; bounds the work a pasted essay can cause.
MAX_QUERY_TERMS = 32

_MEMORY: dict[str, sqlite3.Connection] = {}
_MEMORY_LOCK = threading.Lock()


class KbHit(BaseModel):
    """One matching section of a knowledge-base doc."""

    model_config = ConfigDict(frozen=True)

    doc: str
    section: str
    snippet: str
    score: float

    @property
    def cite(self) -> str:
        """The citation a draft uses to point at this section: ``doc#section``."""
        return f"{self.doc}#{self.section}"


def packaged_docs() -> dict[str, str]:
    """Load the shipped docs, keyed by name without ``.md`` (e.g. ``"refund-policy"``)."""
    folder = resources.files("tools").joinpath("kb_docs")
    return {
        entry.name.removesuffix(".md"): entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".md")
    }


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


def docs_current(conn: sqlite3.Connection) -> bool:
    """Whether the indexed docs are the shipped ones (reads only)."""
    indexed = {row[0]: row[1] for row in conn.execute("SELECT doc, text FROM kb_docs")}
    return indexed == packaged_docs()


def index_docs(conn: sqlite3.Connection) -> None:
    """(Re)build the index when the shipped docs differ from the indexed ones.

    Runs inside the caller's transaction; comparing texts rather than trusting a marker
    means an upgraded package with edited docs is re-indexed when the world is next opened.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS kb_docs (doc TEXT PRIMARY KEY, text TEXT NOT NULL)")
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS kb_sections USING fts5("
        "doc UNINDEXED, section, body, tokenize='porter unicode61')"
    )
    docs = packaged_docs()
    indexed = {row[0]: row[1] for row in conn.execute("SELECT doc, text FROM kb_docs")}
    if indexed == docs:
        return
    conn.execute("DELETE FROM kb_docs")
    conn.execute("DELETE FROM kb_sections")
    for name, text in docs.items():
        conn.execute("INSERT INTO kb_docs VALUES (?, ?)", (name, text))
        conn.executemany(
            "INSERT INTO kb_sections (doc, section, body) VALUES (?, ?, ?)",
            [(name, section, body) for section, body in split_sections(text)],
        )


def match_expression(query: str) -> str | None:
    """Turn free text into an FTS5 MATCH expression that can never be a syntax error.

    Every word becomes a double-quoted string (so ``AND``, ``NEAR``, ``*`` or quotes typed by
    a model are plain text), and words are OR'ed so bm25 ranks partial matches.
    """
    terms = list(dict.fromkeys(re.findall(r"[^\W_]+", query.casefold())))[:MAX_QUERY_TERMS]
    return " OR ".join(f'"{term}"' for term in terms) or None


@contextmanager
def _index(world: World) -> Iterator[sqlite3.Connection]:
    """The index to read: the world file's, or (world in PostgreSQL) the process's own."""
    if world.database is None:
        with closing(connect(world, readonly=True)) as conn:
            yield conn
        return
    with _MEMORY_LOCK:  # one connection, used by one thread at a time
        if "index" not in _MEMORY:
            built = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            built.row_factory = sqlite3.Row
            index_docs(built)
            _MEMORY["index"] = built
        yield _MEMORY["index"]


def search(world: World, query: str, k: int = 4) -> list[KbHit]:
    """Return up to ``k`` sections best matching ``query``, best first (bm25)."""
    expression = match_expression(query)
    if expression is None or k < 1:
        return []
    with _index(world) as conn:
        rows = conn.execute(
            # Column weights: doc is unindexed, a heading match counts double a body match.
            "SELECT doc, section, snippet(kb_sections, 2, '', '', ' … ', 64) AS snippet,"
            " bm25(kb_sections, 0.0, 2.0, 1.0) AS rank"
            " FROM kb_sections WHERE kb_sections MATCH ? ORDER BY rank LIMIT ?",
            (expression, k),
        ).fetchall()
    return [
        # Snippets cut across line breaks; one line reads better in a tool result.
        KbHit(
            doc=r["doc"],
            section=r["section"],
            snippet=" ".join(r["snippet"].split()),
            score=-r["rank"],
        )
        for r in rows
    ]


def policy_text(world: World, doc: str) -> str:
    """Return the full markdown of one doc (e.g. ``"tone-guide"``) as indexed in the world."""
    with _index(world) as conn:
        row = conn.execute("SELECT text FROM kb_docs WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT doc FROM kb_docs ORDER BY doc")]
            raise KeyError(f"no knowledge-base doc {doc!r}; known docs: {', '.join(known)}")
        return str(row["text"])
