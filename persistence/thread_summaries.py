"""Each thread's status for ``baton threads``, read straight from the checkpoint store.

Importing LangGraph and building the graph costs a second or more, which a listing should
not pay. A backend per engine reads the same facts from Baton's checkpoint tables
(``persistence.sqlite.thread_summaries``, ``persistence.postgres.thread_summaries``): each
thread's latest top-level checkpoint (its ``status``, ``request`` and answer, and the
metadata's ``source``), whether a node of that checkpoint's step raised (an ``__error__``
write), and whether one of its ``__interrupt__`` writes still waits. An interrupt raised
inside a worker subgraph is still waiting only if that subgraph's latest checkpoint holds
one too (after a crash the parent can list an interrupt the worker has moved past); this is
the rule ``baton.pending.live_interrupts`` applies to the graph's own snapshot, and a test
holds the two to the same answers on both engines. This module turns those facts into the
listed status, the same way for both.

Values stored as msgpack are decoded here with ``ormsgpack``: extension types (messages,
Baton's models) decode to their constructor arguments, never to objects, so nothing is
imported or executed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ormsgpack

from persistence.database import Database, SqliteDatabase

TERMINAL = ("done", "unresolved", "failed", "budget_exhausted")
"""The statuses a finished turn records."""

INTERRUPT = "__interrupt__"
"""The write channel of an interrupt a node raised."""

ERROR = "__error__"
"""The write channel of an error a node raised."""


@dataclass(frozen=True)
class ThreadFacts:
    """What a backend reads about one thread: its latest top-level checkpoint and writes."""

    thread_id: str
    values: dict[str, Any]
    """The checkpoint's channel values (at least ``status``, ``request``, ``turn``, ``turns``
    and ``final_answer`` where stored), decoded to plain data."""
    updated_at: str | None
    """The checkpoint's ``ts``."""
    source: str | None
    """The metadata's ``source`` (``input`` for a checkpoint that only took the input)."""
    waiting: bool
    """Some interrupt of the checkpoint still waits for an answer."""
    raised: bool
    """A node of the checkpoint's step raised: the run stopped there."""


def _ext(code: int, data: bytes) -> Any:
    """Any LangGraph extension type as its constructor arguments (``[module, name, args]``)."""
    parts = ormsgpack.unpackb(data, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS)
    return parts[2] if isinstance(parts, list) and len(parts) > 2 else None


def decoded(kind: str | None, blob: bytes | None) -> Any:
    """A value the serializer stored as ``(kind, blob)``, as plain data (None if not msgpack)."""
    if blob is None or kind != "msgpack":
        return None
    return ormsgpack.unpackb(blob, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS)


def _answered(values: dict[str, Any]) -> bool:
    """The turn's last node has run: its record is kept (the answer alone for older threads)."""
    if "turn" not in values:  # a thread from before conversations: finish wrote the answer
        return bool(values.get("final_answer"))
    turns = values.get("turns") or []
    last = turns[-1] if turns and isinstance(turns[-1], dict) else {}
    return bool(last.get("turn") == values.get("turn"))


def summary(facts: ThreadFacts) -> dict[str, Any]:
    """The listed row: id, status, request, last update."""
    status = facts.values.get("status")
    if facts.waiting:
        shown = "waiting"
    elif facts.raised:
        shown = "failed"  # a node raised (the model server could not be used): resumable
    elif status in TERMINAL and _answered(facts.values) and facts.source != "input":
        shown = str(status)
    else:
        shown = "running"
    request = facts.values.get("request")
    return {
        "thread_id": facts.thread_id,
        "status": shown,
        "request": request if isinstance(request, str) else "",
        "updated_at": facts.updated_at,
    }


def thread_summaries(database: Database) -> list[dict[str, Any]]:
    """Every thread, most recently updated first: id, status, request, last update.

    Reads only: nothing is created or migrated, and a store Baton never set up (no file,
    no tables) has no threads.
    """
    if isinstance(database, SqliteDatabase):
        from persistence.sqlite import thread_summaries as sqlite

        found = sqlite.thread_facts(database.path)
    else:
        from persistence.postgres import thread_summaries as pg

        found = pg.thread_facts(database)
    return [summary(facts) for facts in found]
