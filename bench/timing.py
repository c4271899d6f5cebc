"""Timing helpers: baseline and durable runs interleaved, medians compared.

Every timed call starts from a collected heap, so a collection of one side's garbage does
not land in the other side's time.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Awaitable, Callable


def median_seconds(samples: list[float]) -> float:
    """The median of ``samples`` (seconds)."""
    return statistics.median(samples)


def paired_ratio(numerators: list[float], denominators: list[float]) -> float:
    """The median of ``numerators[i] / denominators[i]``.

    Each pair ran back to back, so a slow spell of a shared machine lands on both sides.
    """
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes (from a collected heap)."""
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


async def atimed(fn: Callable[[], Awaitable[object]]) -> float:
    """Seconds one awaited call of ``fn`` takes (from a collected heap)."""
    gc.collect()
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start
