"""The support knowledge base: markdown policy docs indexed for full-text search (FTS5).

Docs ship inside the package (``tools/kb_docs``) and are copied into an SQLite FTS5 index,
one row per ``## Section``, so search and the review rules read the same text. The index
(in ``world.db``, or built in memory with the world in PostgreSQL) is
``persistence.world.knowledge_base``'s; this module turns questions into its queries.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from persistence.world import knowledge_base as kb_index

if TYPE_CHECKING:
    from tools.world import World

# Enough terms for any real question; bounds the work a pasted essay can cause.
MAX_QUERY_TERMS = 32


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


def match_expression(query: str) -> str | None:
    """Turn free text into an FTS5 MATCH expression that can never be a syntax error.

    Every word becomes a double-quoted string (so ``AND``, ``NEAR``, ``*`` or quotes typed by
    a model are plain text), and words are OR'ed so bm25 ranks partial matches.
    """
    terms = list(dict.fromkeys(re.findall(r"[^\W_]+", query.casefold())))[:MAX_QUERY_TERMS]
    return " OR ".join(f'"{term}"' for term in terms) or None


def search(world: World, query: str, k: int = 4) -> list[KbHit]:
    """Return up to ``k`` sections best matching ``query``, best first (bm25)."""
    expression = match_expression(query)
    if expression is None or k < 1:
        return []
    rows = kb_index.search_sections(world, expression, k, packaged_docs)
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
    text, known = kb_index.doc_text(world, doc, packaged_docs)
    if text is None:
        raise KeyError(f"no knowledge-base doc {doc!r}; known docs: {', '.join(known)}")
    return text
