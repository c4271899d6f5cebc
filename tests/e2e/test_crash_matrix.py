"""SIGKILL at every crash point of the sample requests, resume, and get the uncrashed result.

CI runs a representative subset: each effect killed between its backend call and its ledger
commit, and one point of each other kind (superstep commit, worker-subgraph commit, worker
model call) per request. Set
``RELIABILITY_MATRIX=full`` (``make reliability`` does) for every point.

Each request runs on both engines: SQLite under the home, and PostgreSQL
(``BATON_DATABASE_URL``, a fresh database per run). CI runs PostgreSQL for the refund only
(the request with the most effects: its effect points and a superstep commit); the full
matrix runs every request on both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_process import DOUBLE_CHARGE
from crash_matrix import KILLED, Home, final_state, kind_of, points_reached
from postgres_db import create_database, drop_database
from reliability_log import report

pytestmark = pytest.mark.e2e

REQUESTS = {
    "refund": DOUBLE_CHARGE,
    "ticket": "Bug report from customer 1077: the mobile app crashes when I tap Export on the "
    "dashboard.",
    "answer": "How long does a refund for a duplicate charge take to reach the customer?",
}
ALWAYS = ("effect", "email")
IN_CI = ":after_backend@"
FULL = os.environ.get("RELIABILITY_MATRIX") == "full"
ENGINES = ("sqlite", "postgresql")
CASES = [
    (name, engine)
    for name in sorted(REQUESTS)
    for engine in ENGINES
    if FULL or engine == "sqlite" or name == "refund"
]


@dataclass(frozen=True)
class Reference:
    """What the uncrashed run produced."""

    state: dict[str, Any]
    effects: dict[str, int]
    model_calls: dict[str, int]
    points: list[tuple[int, str]]
    tool_calls: int


@dataclass
class Case:
    """One crash point's run and what went wrong in it."""

    point: tuple[int, str]
    killed: bool = False
    problems: tuple[str, ...] = ()
    duplicates: int = 0
    unhandled: int = 0


@contextmanager
def engine_home(root: Path, engine: str) -> Iterator[Home]:
    """A fresh home; on PostgreSQL also a fresh database, dropped afterwards."""
    if engine == "sqlite":
        yield Home(root / "home")
        return
    url = create_database()
    try:
        yield Home(root / "home", database_url=url)
    finally:
        drop_database(url)


def assert_on_engine(home: Home, engine: str) -> None:
    """The thread's checkpoints and trace are in ``engine``, and none in the other."""
    rows = home.rows_by_engine("t")
    other = "sqlite" if engine == "postgresql" else "postgresql"
    assert rows[engine]["checkpoints"] > 0 and rows[engine]["trace_events"] > 0, rows
    assert not any(rows[other].values()), rows


def reference_run(root: Path, request: str, engine: str) -> Reference:
    with engine_home(root, engine) as home:
        home.sequence(request, "t")
        assert home.unhandled == 0
        details = home.show("t")
        assert_on_engine(home, engine)
        return reference_of(home, details)


def reference_of(home: Home, details: dict[str, Any]) -> Reference:
    """The reference numbers of a finished uncrashed run."""
    return Reference(
        final_state(details),
        home.effects(),
        home.model_calls("t"),
        points_reached(home),
        details["usage"]["tool_calls"],
    )


def selected(points: list[tuple[int, str]], engine: str) -> list[tuple[int, str]]:
    """Every point with RELIABILITY_MATRIX=full, else effects plus one of each other kind.

    On PostgreSQL in CI the other kind is the parent graph's superstep commit only (the
    saver's own write); its worker-subgraph and model-call points run on SQLite in CI and
    on both engines under ``make reliability``.
    """
    if FULL:
        return points
    chosen = [p for p in points if IN_CI in p[1]]
    kinds = {kind_of(p[1]) for p in points} - set(ALWAYS)
    if engine == "postgresql":
        kinds &= {"superstep"}
    for kind in sorted(kinds):
        of_kind = [p for p in points if kind_of(p[1]) == kind]
        chosen.append(of_kind[len(of_kind) // 2])
    return chosen


def crash_case(
    root: Path, request: str, point: tuple[int, str], ref: Reference, engine: str
) -> Case:
    with engine_home(root, engine) as home:
        case = run_case(home, request, point, ref)
        if engine == "postgresql":
            assert_on_engine(home, engine)
        return case


def run_case(home: Home, request: str, point: tuple[int, str], ref: Reference) -> Case:
    case = Case(point)
    home.sequence(request, "t", crash=point)
    case.killed = home.processes[-1].returncode == KILLED
    problems = [] if case.killed else [f"not killed (exit {home.processes[-1].returncode})"]
    at_crash = home.show("t")
    home.recover("t")
    details = home.show("t")
    if final_state(details) != ref.state:
        problems.append("final state differs from the uncrashed run")
    # an effect re-run after a crash is deduplicated, and so is its charge to the budget
    if kind_of(point[1]) in ALWAYS and details["usage"]["tool_calls"] != ref.tool_calls:
        problems.append(f"tool calls charged {details['usage']['tool_calls']} != {ref.tool_calls}")
    effects = home.effects()
    case.duplicates = sum(max(0, effects[k] - ref.effects[k]) for k in effects)
    if effects != ref.effects:
        problems.append(f"effects {effects} != {ref.effects}")
    calls = home.model_calls("t")
    finished = set(at_crash["results"]) | ({"triage"} if at_crash["route"] else set())
    for step in set(calls) | set(ref.model_calls):
        extra = calls[step] - ref.model_calls.get(step, 0)
        if extra > (0 if step in finished else 1):
            problems.append(f"step {step} repeated {extra} model call(s)")
    case.unhandled = home.unhandled
    if case.unhandled:
        problems.append("a process printed a traceback")
    case.problems = tuple(problems)
    return case


@pytest.mark.timeout(1800)  # the full matrix (make reliability) runs some minutes
@pytest.mark.parametrize(("name", "engine"), CASES)
def test_every_crash_point_resumes_to_the_uncrashed_result(
    name: str, engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    request = REQUESTS[name]
    ref = reference_run(tmp_path_factory.mktemp(f"{name}-reference"), request, engine)
    assert ref.points, "the reference run reached no crash point"
    cases = selected(ref.points, engine)
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(
            pool.map(
                lambda p: crash_case(
                    tmp_path_factory.mktemp(f"{name}-crash"), request, p, ref, engine
                ),
                cases,
            )
        )
    killed = sum(c.killed for c in done)
    print(
        f"\n{name} on {engine}: killed at {killed} of {len(ref.points)} crash points"
        f" ({len(cases)} run)"
    )
    report(
        f"crash matrix: {name}",
        engine=engine,
        kills=killed,
        faults={"SIGKILL": len(done)},
        duplicates=sum(c.duplicates for c in done),
        unhandled=sum(c.unhandled for c in done),
        checks=len(done),
    )
    failures = [(c.point, c.problems) for c in done if c.problems]
    assert not failures, failures
