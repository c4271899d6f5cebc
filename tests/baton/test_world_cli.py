"""The world is data: only ``world init`` and ``demo`` create it; a lost world is an error."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from cli_samples import BUG_REPORT, DOUBLE_CHARGE, fingerprint

from baton.cli import main


def _refunds(home: Path) -> int:
    with closing(sqlite3.connect(home / "world.db")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM refunds").fetchone()[0])


def test_world_init_creates_the_world_once(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["world", "init"]) == 0
    assert capsys.readouterr().out == f"created the sample world in {home}\n"
    assert _refunds(home) == 1  # the seeded partial refund
    with closing(sqlite3.connect(home / "world.db")) as conn:
        conn.execute("DELETE FROM refunds")  # the world changed since: it must not be re-seeded
        conn.commit()
    before = fingerprint(home)
    assert main(["world", "init", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "world": str(home / "world.db"),
        "created": False,
    }
    assert fingerprint(home) == before and _refunds(home) == 0


def test_a_new_home_has_no_world_until_one_is_made(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", DOUBLE_CHARGE]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"baton: error: no world database at {home / 'world.db'}")
    assert "`baton world init`" in err and "`baton demo --reset`" in err
    assert not home.exists()  # refused: nothing written, not even the folder


def test_a_deleted_world_is_never_silently_rebuilt(
    threads_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for suffix in ("", "-wal", "-shm"):
        (threads_home / f"world.db{suffix}").unlink(missing_ok=True)
    assert main(["threads", "--json"]) == 0  # listing needs no world
    assert {t["thread_id"] for t in json.loads(capsys.readouterr().out)} == {"waiting", "finished"}
    assert main(["show", "finished", "--json"]) == 0
    capsys.readouterr()
    for argv in (["run", BUG_REPORT], ["resume", "waiting", "--approve", "all"], ["demo"]):
        assert main(argv) == 2, argv
        assert "no world database at" in capsys.readouterr().err
    assert not (threads_home / "world.db").exists()


def test_an_unreadable_world_names_the_fix(
    world_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (world_home / "world.db").write_bytes(b"not a database, just bytes " * 100)
    before = fingerprint(world_home)
    assert main(["run", DOUBLE_CHARGE]) == 2
    err = capsys.readouterr().err
    assert "world database" in err and "is unreadable" in err and "demo --reset" in err
    assert main(["world", "init"]) == 2  # never overwrites what might be data
    assert "is unreadable" in capsys.readouterr().err
    assert fingerprint(world_home) == before


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "baton", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("baton 0.") and out.stderr == ""
