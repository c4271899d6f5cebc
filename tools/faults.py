"""Crash points: kill the own process with SIGKILL at a named point, for the crash matrix.

``BATON_CRASH_AT=NAME`` (or ``NAME@N``: the N-th time this process reaches ``NAME``) makes
the process die at that point, as a power cut or an OOM kill would; ``BATON_CRASH_LOG=PATH``
appends every point reached (``NAME@N``, one per line), which is how the crash matrix
enumerates the points of a run. ``BATON_PAUSE_AT=NAME`` stops the process there with
SIGSTOP instead (a stalled machine; SIGCONT wakes it). All are read once, at import: with
none set, ``crash_point`` is one comparison and returns.

Lives in ``tools`` because the effect ledger and the outbox have crash points of their
own, and ``tools`` may not import ``graphs``.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

_TARGET = os.environ.get("BATON_CRASH_AT") or None
_PAUSE = os.environ.get("BATON_PAUSE_AT") or None
_LOG = os.environ.get("BATON_CRASH_LOG") or None
ENABLED = _TARGET is not None or _LOG is not None or _PAUSE is not None
"""Whether any crash point can act in this process (fixed at import)."""

_seen: Counter[str] = Counter()
_lock = threading.Lock()


def crash_point(name: str) -> None:
    """Die here if ``BATON_CRASH_AT`` names this point (and occurrence); log it if asked."""
    if not ENABLED:
        return
    with _lock:
        _seen[name] += 1
        label = f"{name}@{_seen[name]}"
        if _LOG is not None:
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(label + "\n")
        hit = _TARGET in (label, name) if _seen[name] == 1 else label == _TARGET
        pause = _PAUSE in (label, name) if _seen[name] == 1 else label == _PAUSE
    if hit:
        os.kill(os.getpid(), signal.SIGKILL)
    if pause:  # stopped as a stalled machine would be, until someone sends SIGCONT
        os.kill(os.getpid(), signal.SIGSTOP)
