"""Graph tests build the real orchestrator over the test's own Baton home (see graph_run)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from fakes import Handler
from graph_run import Run

from graphs.settings import Settings


@pytest.fixture
def make_run(settings: Settings) -> Iterator[Callable[..., Run]]:
    """Build a ``Run`` with scripted handlers and optional settings overrides."""
    runs: list[Run] = []

    def make(
        handlers: Mapping[str, Handler] | None = None, *, thread: str = "thread-1", **overrides: Any
    ) -> Run:
        run = Run(settings.model_copy(update=overrides), dict(handlers or {}), thread)
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.close()
