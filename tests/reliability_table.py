"""Print ``make reliability``'s table from the JSON lines the reliability tests wrote."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def table(lines: list[dict[str, object]]) -> str:
    """The one table: kills survived, faults by kind, duplicate effects, unhandled errors."""
    faults: Counter[str] = Counter()
    kills = duplicates = unhandled = checks = tried = made = reasked = 0
    for line in lines:
        tried += int(str(line.get("cross_thread_tried", 0)))
        made += int(str(line.get("cross_thread_made", 0)))
        reasked += int(str(line.get("refusals_reasked", 0)))
        kills += int(str(line["kills"]))
        duplicates += int(str(line["duplicates"]))
        unhandled += int(str(line["unhandled"]))
        checks += int(str(line["checks"]))
        faults.update({str(k): int(str(v)) for k, v in dict(line["faults"]).items()})  # type: ignore[call-overload]
    rows = [
        ("kill points survived (SIGKILL, then resume)", kills),
        *((f"faults injected: {kind}", n) for kind, n in sorted(faults.items())),
        ("scenarios checked", checks),
        ("cross-thread duplicates tried (same fact, other thread or fork)", tried),
        ("cross-thread duplicates made (must be 0)", made),
        ("backend refusals re-asked (approved or edited calls)", reasked),
        ("duplicate effects (must be 0)", duplicates),
        ("unhandled exceptions (must be 0)", unhandled),
    ]
    width = max(len(name) for name, _ in rows)
    out = [f"| {'measure'.ljust(width)} | count |", f"| {'-' * width} | ----: |"]
    out += [f"| {name.ljust(width)} | {n:>5} |" for name, n in rows]
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    records = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    print(table(records))
