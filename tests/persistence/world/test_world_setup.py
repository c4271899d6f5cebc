from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from persistence.world.connect import connect
from tools.outbox import SendEmailArgs, send_email
from tools.payments import IssueRefundArgs, issue_refund
from tools.world import World


def _counts(world: World) -> dict[str, int]:
    conn = connect(world, readonly=True)
    try:
        tables = ["customers", "orders", "charges", "refunds", "tickets", "internal_notes"]
        tables += ["kb_docs", "kb_sections"]
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


def test_ensure_creates_seeded_world(world: World) -> None:
    assert world.db_path == world.home / "world.db"
    assert world.outbox_dir.is_dir()
    counts = _counts(world)
    assert counts["customers"] == 8
    assert counts["orders"] == 15
    assert counts["kb_docs"] == 4
    assert counts["kb_sections"] > 12


def test_ensure_twice_is_idempotent(world: World) -> None:
    before = _counts(world)
    world.init()
    world.init()
    assert _counts(world) == before


def _ensure_in_process(home: str) -> None:
    World(Path(home)).init()


def test_ensure_racing_processes_seed_once(tmp_path: Path) -> None:
    home = tmp_path / "raced"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_ensure_in_process, args=(str(home),)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    counts = _counts(World(home))
    assert counts["customers"] == 8
    assert counts["charges"] == 18


def test_connections_use_wal_and_readonly_refuses_writes(world: World) -> None:
    conn = connect(world)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        conn.close()
    ro = connect(world, readonly=True)
    try:
        with pytest.raises(sqlite3.OperationalError):
            ro.execute("DELETE FROM refunds")
    finally:
        ro.close()


def test_reset_clears_refunds_and_outbox(world: World) -> None:
    refund = IssueRefundArgs(
        order_id=5531, customer_id=1042, amount="129.00", currency="USD", reason="duplicate"
    )
    issue_refund(world, refund, "k-reset")
    email = SendEmailArgs(to="dana.whitfield@example.com", subject="Hi", body="Refunded.")
    send_email(world, email, "k-reset")
    assert _counts(world)["refunds"] == 2
    assert list(world.outbox_dir.glob("*.eml"))

    world.reset()

    assert _counts(world)["refunds"] == 1  # only the seeded partial refund
    assert not list(world.outbox_dir.iterdir())
    assert _counts(world)["customers"] == 8
