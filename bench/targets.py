"""The targets of issues 4 and 9, each checked against a measured result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    """One target: what it is, the limit, and how to read the measured value."""

    name: str
    limit: float
    at_most: bool
    read: Callable[[dict[str, Any]], float | None]

    def check(self, results: dict[str, Any]) -> dict[str, Any]:
        """The measured value and PASS / MISS (or SKIP when the workload did not run)."""
        try:
            value = self.read(results)
        except (KeyError, StopIteration):
            value = None
        if value is None:
            verdict = "SKIP"
        else:
            verdict = (
                "PASS" if (value <= self.limit if self.at_most else value >= self.limit) else "MISS"
            )
        sign = "<=" if self.at_most else ">="
        return {"target": f"{self.name} {sign} {self.limit:g}", "value": value, "verdict": verdict}


def _fanout(n: int) -> Callable[[dict[str, Any]], float]:
    return lambda r: float(next(row["ratio"] for row in r["fanout"] if row["workers"] == n))


def _pg_fanout(n: int, key: str) -> Callable[[dict[str, Any]], float]:
    return lambda r: float(next(row[key] for row in r["postgres"]["fanout"] if row["workers"] == n))


TARGETS = [
    Target(
        "orchestrator superstep ratio (0 ms stub)",
        2.0,
        True,
        lambda r: r["orchestrator"][0]["ratio"],
    ),
    Target(
        "bare loop superstep ratio (0 ms stub)", 2.0, True, lambda r: r["superstep"][0]["ratio"]
    ),
    Target("fan-out ratio N=100", 1.1, True, _fanout(100)),
    Target("fan-out ratio N=1000", 1.25, True, _fanout(1000)),
    Target("200-thread throughput fraction", 0.8, False, lambda r: r["concurrency"]["fraction"]),
    Target(
        "PostgreSQL orchestrator: Baton / stock",
        1.0,
        True,
        lambda r: r["postgres"]["orchestrator"]["baton_vs_stock"],
    ),
    Target(
        "PostgreSQL fan-out N=100: Baton / stock saver",
        1.0,
        True,
        _pg_fanout(100, "baton_vs_stock"),
    ),
    Target(
        "PostgreSQL fan-out N=1000: Baton / stock saver",
        1.0,
        True,
        _pg_fanout(1000, "baton_vs_stock"),
    ),
    Target(
        "PostgreSQL 200 threads: Baton / stock",
        1.0,
        True,
        lambda r: r["postgres"]["concurrency"]["baton_vs_stock"],
    ),
    Target(
        "PostgreSQL 200-thread throughput fraction",
        0.8,
        False,
        lambda r: r["postgres"]["concurrency"]["fraction"],
    ),
    Target("growth bytes (200 x 1 KB)", 1_000_000, True, lambda r: r["growth"]["checkpoint_bytes"]),
    Target("baton --help seconds", 0.3, True, lambda r: r["startup"]["help"]["median_s"]),
    Target(
        "baton threads seconds (small home)",
        0.3,
        True,
        lambda r: r["startup"]["threads"]["median_s"],
    ),
    Target(
        "resume after imports seconds",
        0.05,
        True,
        lambda r: r["startup"]["resume"]["after_imports_s"],
    ),
    Target(
        "baton serve / in process, sequential flows",
        1.2,
        True,
        lambda r: r["serve"]["sequential_ratio"],
    ),
    Target(
        "baton serve / in process, concurrent flows",
        1.2,
        True,
        lambda r: r["serve"]["concurrent_ratio"],
    ),
    Target(
        "baton serve / langgraph dev, sequential flows",
        1.0,
        True,
        lambda r: r["serve"]["sequential_vs_dev"],
    ),
    Target(
        "baton serve / langgraph dev, concurrent flows",
        1.0,
        True,
        lambda r: r["serve"]["concurrent_vs_dev"],
    ),
    Target(
        "replica recovery after SIGKILL, max seconds",
        5.0,
        True,
        lambda r: r["replicas"]["recovery"]["max_s"],
    ),
]


def check_all(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target checked against ``results``."""
    return [target.check(results) for target in TARGETS]
