"""One refund per overcharge: two threads and a fork for the same double charge.

Each thread (and the fork) verifies the duplicate and waits for the refund's approval.
Whatever order the three are approved in, or all at once, the charge is refunded once,
the customer is emailed once, and the threads that came later say who did it.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from graph_run import Run
from reliability_log import report

from graphs.settings import Settings

DOUBLE_CHARGE = "Customer 1042 was charged twice for order 5531. Refund the duplicate, email them."
THREADS = ("first", "second", "fork")


@pytest.fixture(scope="module")
def waiting_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home where ``first``, ``second`` and ``fork`` (of ``first``) wait on the refund."""
    from tools.world import World

    home = tmp_path_factory.mktemp("one-fact") / "home"
    World(home).init()
    settings = Settings(home=home, _env_file=None)  # type: ignore[call-arg]
    runs = [Run(settings, {}, thread) for thread in ("first", "second")]
    for run in runs:
        run.start(DOUBLE_CHARGE)
        assert run.pending("issue_refund").value["live"]["refundable"] == "129.00 USD"
    runs[0].savers[-1].copy_thread("first", "fork")
    for run in runs:
        run.close()
    yield home


@pytest.fixture
def threads(waiting_home: Path, settings: Settings, make_run: Callable[..., Run]) -> dict[str, Run]:
    """The three waiting threads, on this test's own copy of the home."""
    shutil.rmtree(settings.home)
    shutil.copytree(waiting_home, settings.home)
    return {name: make_run(thread=name) for name in THREADS}


def _approve_next(run: Run) -> bool:
    """Answer the thread's pending approvals once; False when it has ended."""
    if not run.interrupts:
        return False
    run.resume({i.id: {"type": "approve"} for i in run.interrupts})
    return True


def _check_one_effect(threads: dict[str, Run]) -> None:
    any_run = next(iter(threads.values()))
    refunds = any_run.world_rows(
        "SELECT charge_id, amount_cents FROM refunds WHERE order_id = 5531"
    )
    emails = any_run.outbox()
    made = max(0, len(refunds) - 1) + max(0, len(emails) - 1)
    tried = len(threads) - 1  # every thread but the first to refund approved the same refund
    report("one fact", checks=1, duplicates=made, cross_thread_tried=tried, cross_thread_made=made)
    assert refunds == [("ch_5531_2", 12900)]
    assert len(emails) == 1
    refunded = [
        name
        for name, run in threads.items()
        if run.effects()
        and any(e["tool"] == "issue_refund" and e["status"] == "done" for e in run.effects())
    ]
    assert len(refunded) == 1
    for name, run in threads.items():
        values = run.values
        assert values["status"] == "done", (name, values.get("error"))
        if name not in refunded:
            assert f"already refunded by thread {refunded[0]}" in values["final_answer"] or (
                f"was already done by thread {refunded[0]}" in values["final_answer"]
            ), values["final_answer"]


@pytest.mark.parametrize("order", list(itertools.permutations(THREADS)), ids="-".join)
def test_approved_in_any_order_the_charge_is_refunded_once(
    threads: dict[str, Run], order: tuple[str, ...]
) -> None:
    # Round-robin in this order, one decision per thread per round: refunds and emails of
    # different threads interleave.
    active = list(order)
    while active:
        active = [name for name in active if _approve_next(threads[name])]
    _check_one_effect(threads)


def test_approved_all_at_once_the_charge_is_refunded_once(threads: dict[str, Run]) -> None:
    def approve_until_done(run: Run) -> Any:
        while _approve_next(run):
            pass

    with ThreadPoolExecutor(max_workers=len(threads)) as pool:
        list(pool.map(approve_until_done, threads.values()))
    _check_one_effect(threads)


def test_a_refund_made_outside_baton_is_not_repeated(
    threads: dict[str, Run],
) -> None:
    run = threads["first"]
    rows = "INSERT INTO refunds VALUES ('re_desk', 'ch_5531_2', 5531, 1042, 12900, 'USD',"
    rows += " 'refunded at the help desk', 'desk-1', '2025-06-02T08:00:00Z')"
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(run.settings.home / "world.db")) as conn:
        conn.execute(rows)
        conn.commit()
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.world_rows("SELECT id FROM refunds WHERE order_id = 5531") == [("re_desk",)]
    assert "outside Baton" in out["final_answer"]
    assert run.outbox() == []  # the email announces a refund this thread did not make
