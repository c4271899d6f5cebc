"""Print ``make reliability``'s table from the JSON lines the reliability tests wrote.

One column per engine (SQLite, PostgreSQL) that reported anything; under the table, which
suites each column covers. Lines without an ``engine`` came from SQLite.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ENGINES = ("sqlite", "postgresql")
_SUMMED = (
    "kills",
    "duplicates",
    "unhandled",
    "checks",
    "cross_thread_tried",
    "cross_thread_made",
    "refusals_reasked",
)


def _totals(lines: list[dict[str, object]]) -> tuple[Counter[str], Counter[str]]:
    """The summed measures and the faults by kind of one engine's lines."""
    sums: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    for line in lines:
        sums.update({key: int(str(line.get(key, 0))) for key in _SUMMED})
        faults.update({str(k): int(str(v)) for k, v in dict(line["faults"]).items()})  # type: ignore[call-overload]
    return sums, faults


def engine_of(line: dict[str, object]) -> str:
    """The engine a line came from (SQLite when it does not say)."""
    return str(line.get("engine", "sqlite"))


def table(lines: list[dict[str, object]]) -> str:
    """The one table: kills survived, faults by kind, duplicate effects, unhandled errors."""
    engines = [e for e in ENGINES if any(engine_of(x) == e for x in lines)] or ["sqlite"]
    totals = {e: _totals([x for x in lines if engine_of(x) == e]) for e in engines}
    kinds = sorted({kind for _, faults in totals.values() for kind in faults})
    measures = [
        ("kill points survived (SIGKILL, then resume)", "kills"),
        *((f"faults injected: {kind}", f"fault:{kind}") for kind in kinds),
        ("scenarios checked", "checks"),
        ("cross-thread duplicates tried (same fact, other thread or fork)", "cross_thread_tried"),
        ("cross-thread duplicates made (must be 0)", "cross_thread_made"),
        ("backend refusals re-asked (approved or edited calls)", "refusals_reasked"),
        ("duplicate effects (must be 0)", "duplicates"),
        ("unhandled exceptions (must be 0)", "unhandled"),
    ]

    def figure(engine: str, key: str) -> int:
        sums, faults = totals[engine]
        return faults[key[6:]] if key.startswith("fault:") else sums[key]

    width = max(len(name) for name, _ in measures)
    cols = [max(len(e), 5) for e in engines]

    def row(name: str, cells: list[str]) -> str:
        padded = (cell.rjust(c) for cell, c in zip(cells, cols, strict=True))
        return f"| {name.ljust(width)} | " + " | ".join(padded) + " |"

    out = [row("measure", engines), row("-" * width, ["-" * (c - 1) + ":" for c in cols])]
    out += [row(name, [str(figure(e, key)) for e in engines]) for name, key in measures]
    out.append("")
    for engine in engines:
        suites = sorted({str(x["suite"]) for x in lines if engine_of(x) == engine})
        out.append(f"suites on {engine}: {', '.join(suites)}")
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    records = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    print(table(records))
