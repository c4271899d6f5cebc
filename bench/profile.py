"""Where a workload's time goes: cProfile of one run, summed by package and by function.

``python -m bench --profile NAME`` writes ``bench/results/profile-NAME.txt``: the share of
the profiled thread's time spent in LangGraph, LangChain core, SQLite (the ``sqlite3``
calls themselves), Baton's own code, asyncio and the rest, then the functions with the
most time of their own. Threads other than the calling one (aiosqlite's worker thread,
LangGraph's background executor) are not in the profile; their cost shows up as waiting.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

PACKAGES = (
    ("psycopg", "/psycopg"),
    ("langgraph", "/langgraph/"),
    ("langchain_core", "/langchain_core/"),
    ("pydantic", "/pydantic"),
    ("asyncio", "/asyncio/"),
    ("baton: graphs", "/graphs/"),
    ("baton: persistence", "/persistence/"),
    ("baton: agents", "/agents/"),
    ("baton: tools", "/tools/"),
    ("baton: bench", "/bench/"),
)


def package_of(filename: str, function: str) -> str:
    """The package a profiled function belongs to, by its file (or the built-in's name)."""
    if filename == "~":
        if "sqlite3" in function:
            return "sqlite3 (C calls)"
        if "lock" in function or "acquire" in function:
            return "waiting on locks/threads"
        if "select" in function or "poll" in function:
            return "waiting on the event loop"
        return "other built-ins"
    for name, marker in PACKAGES:
        if marker in filename:
            return name
    return "other Python"


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Seconds of own time per package, largest first."""
    totals: dict[str, float] = {}
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in table.items():
        key = package_of(filename, function)
        totals[key] = totals.get(key, 0.0) + tottime
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def profile(run: Callable[[], Any]) -> pstats.Stats:
    """Run ``run()`` under cProfile; its statistics."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
    return pstats.Stats(profiler)


def render(title: str, stats: pstats.Stats, top: int = 30) -> str:
    """A text report: time per package, then the top functions by own time."""
    packages = by_package(stats)
    total = sum(packages.values()) or 1.0
    lines = [title, "", "own time by package (profiled thread)"]
    lines += [
        f"  {name:<28} {sec:8.3f} s  {100 * sec / total:5.1f} %" for name, sec in packages.items()
    ]
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    lines += ["", "top functions by own time", buffer.getvalue()]
    return short_paths("\n".join(lines))


def short_paths(text: str) -> str:
    """``text`` with installed, standard-library and repository paths made relative."""
    repo = str(Path(__file__).resolve().parents[1])
    paths = sysconfig.get_paths()
    for prefix, short in ((paths["purelib"], ""), (paths["stdlib"], "<stdlib>"), (repo, ".")):
        text = text.replace(prefix + "/", short + ("/" if short else ""))
    return text
