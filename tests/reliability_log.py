"""Where reliability tests report what they did, for ``make reliability``'s table.

With ``RELIABILITY_REPORT=PATH`` set, each report is one JSON line appended to PATH;
without it, reports are dropped. ``tests/reliability_table.py`` sums the lines.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping


def report(
    suite: str,
    *,
    kills: int = 0,
    faults: Mapping[str, int] | None = None,
    duplicates: int = 0,
    unhandled: int = 0,
    checks: int = 0,
) -> None:
    """Append one suite's numbers to the reliability report, if one is being written."""
    path = os.environ.get("RELIABILITY_REPORT")
    if not path:
        return
    line = {
        "suite": suite,
        "kills": kills,
        "faults": dict(faults or {}),
        "duplicates": duplicates,
        "unhandled": unhandled,
        "checks": checks,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")
