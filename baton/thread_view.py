"""Opening an existing thread for inspection, and summarising where it stands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from baton.errors import BadInput
from baton.inputs import checked_thread_id
from baton.pending import live_interrupts
from baton.runtime import Runtime, config_for, open_runtime
from baton.settings import load_settings
from persistence.checkpoint_lookups import thread_exists

TERMINAL = ("done", "unresolved", "failed", "budget_exhausted")


@contextmanager
def opened_thread(thread_id: str) -> Iterator[tuple[Runtime, Any]]:
    """The runtime and the latest state of a thread that exists; else ``BadInput``."""
    checked_thread_id(thread_id)
    settings = load_settings()
    if not thread_exists(settings.database, thread_id):
        raise BadInput(f"unknown thread {thread_id}")
    with open_runtime(settings, readonly=True) as rt:
        yield rt, rt.graph.get_state(config_for(thread_id), subgraphs=True)


_RAISED = re.compile(r"""^"?\w+\((['"])(?P<message>.*)\1\)"?$""", re.DOTALL)


def stopped_by(snapshot: Any) -> str | None:
    """Why the run stopped at its last checkpoint, or None.

    The reason is the error a node raised: a model server that could not be used.
    """
    if not snapshot.next:
        return None
    for task in snapshot.tasks:
        if task.error:
            text = str(task.error)
            found = _RAISED.match(text)
            return found.group("message") if found else text
    return None


def thread_status(snapshot: Any) -> str:
    """waiting, running, failed (stopped by an error, resumable), or the recorded status."""
    if live_interrupts(snapshot):
        return "waiting"
    if stopped_by(snapshot) is not None:
        return "failed"
    status = (snapshot.values or {}).get("status")
    if not snapshot.next and status in TERMINAL:
        return str(status)
    return "running"
