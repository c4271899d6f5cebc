"""Where reliability tests report what they did, for ``make reliability``'s table.

With ``RELIABILITY_REPORT=PATH`` set, each report is one JSON line appended to PATH;
without it, reports are dropped. ``tests/reliability_table.py`` sums the lines per engine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

ENGINES = ("sqlite", "postgresql")


def report(
    suite: str,
    *,
    engine: str = "sqlite",
    kills: int = 0,
    faults: Mapping[str, int] | None = None,
    duplicates: int = 0,
    unhandled: int = 0,
    checks: int = 0,
    cross_thread_tried: int = 0,
    cross_thread_made: int = 0,
    refusals_reasked: int = 0,
) -> None:
    """Append one suite's numbers to the reliability report, if one is being written.

    ``cross_thread_tried``: approved calls for a fact another thread (or fork) already made;
    ``cross_thread_made``: how many of those were carried out again (must be 0);
    ``refusals_reasked``: approved or edited calls the backend refused that went back to a
    human instead of ending the run. ``engine``: where the suite's checkpoints, ledger,
    budget, audit and trace were (``sqlite`` or ``postgresql``).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    path = os.environ.get("RELIABILITY_REPORT")
    if not path:
        return
    line = {
        "suite": suite,
        "engine": engine,
        "kills": kills,
        "faults": dict(faults or {}),
        "duplicates": duplicates,
        "unhandled": unhandled,
        "checks": checks,
        "cross_thread_tried": cross_thread_tried,
        "cross_thread_made": cross_thread_made,
        "refusals_reasked": refusals_reasked,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
