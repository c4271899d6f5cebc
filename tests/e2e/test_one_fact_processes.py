"""One refund per overcharge across processes: two threads and a fork approved at once.

On each engine: SQLite files under one home, and one PostgreSQL database under
``make reliability`` (the ledger's fact claim and the payments check then serialise in
PostgreSQL; in CI the ledger's fact tests cover PostgreSQL in one process).
"""

from __future__ import annotations

import json

import pytest
from cli_process import DOUBLE_CHARGE, Baton
from reliability_log import report

pytestmark = pytest.mark.e2e


def test_two_threads_and_a_fork_approved_concurrently_refund_once(
    full_engine_baton: Baton,
) -> None:
    baton = full_engine_baton
    for thread in ("one", "two"):
        assert baton("run", DOUBLE_CHARGE, "--thread", thread).returncode == 3
    forked = baton("fork", "one", "--to", "copy")
    assert forked.returncode == 0, forked.stderr
    threads = ("one", "two", "copy")
    for _ in range(4):  # each round: every waiting thread approved by its own process, at once
        waiting = [t for t in threads if t in _waiting(baton)]
        if not waiting:
            break
        done = baton.concurrently(*(["resume", t, "--approve", "all", "--json"] for t in waiting))
        assert all(p.returncode in (0, 3) for p in done), [(p.stdout, p.stderr) for p in done]
    assert _waiting(baton) == set()
    refunds, emails = baton.refunds_for(5531), baton.emails()
    made = max(0, len(refunds) - 1) + max(0, len(emails) - 1)
    report(
        f"one fact (processes, {baton.engine})",
        engine=baton.engine,
        checks=1,
        duplicates=made,
        cross_thread_tried=len(threads) - 1,
        cross_thread_made=made,
    )
    assert [amount for _, amount in refunds] == [12900]
    assert len(emails) == 1
    answers = [baton.json("show", t, expect=0)["final_answer"] for t in threads]
    assert sum("already" in answer for answer in answers) == 2, answers


def _waiting(baton: Baton) -> set[str]:
    listed = json.loads(baton("threads", "--json").stdout)
    return {row["thread_id"] for row in listed if row["status"] == "waiting"}
