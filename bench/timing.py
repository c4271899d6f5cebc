"""Timing helpers: baseline and durable runs interleaved, medians compared."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


def median_seconds(samples: list[float]) -> float:
    """The median of ``samples`` (seconds)."""
    return statistics.median(samples)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


async def atimed(fn: Callable[[], Awaitable[object]]) -> float:
    """Seconds one awaited call of ``fn`` takes."""
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start
