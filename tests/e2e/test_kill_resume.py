"""A ``baton`` process killed with SIGKILL mid-run resumes without repeating effects."""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from cli_process import DOUBLE_CHARGE, Baton, cli_command, cli_env

pytestmark = pytest.mark.e2e


def run_and_kill(baton: Baton, marker: str, *args: str) -> list[str]:
    """Start ``baton ARGS``, SIGKILL it on the first stdout line containing ``marker``."""
    baton.home.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        cli_command(*args),
        env=cli_env(baton.home),
        cwd=baton.home.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    seen: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            seen.append(line.rstrip("\n"))
            if marker in line:
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.stdout.close()
        process.wait(timeout=60)
    assert any(marker in line for line in seen), seen
    assert process.returncode == -signal.SIGKILL, seen
    return seen


def uninterrupted_run(baton: Baton) -> dict[str, Any]:
    """The double-charge request run and approved with no crash: the reference result."""
    assert baton("run", DOUBLE_CHARGE, "--thread", "ref").returncode == 3
    return baton.approve_until_done("ref")


def test_killed_while_workers_run_resumes_to_the_same_answer(
    baton: Baton, tmp_path_factory: pytest.TempPathFactory
) -> None:
    reference = Baton(tmp_path_factory.mktemp("reference") / "home")
    with ThreadPoolExecutor(max_workers=1) as pool:  # the reference runs alongside
        expected = pool.submit(uninterrupted_run, reference)
        run_and_kill(baton, "→ ", "run", DOUBLE_CHARGE, "--thread", "k1")
        killed = baton.json("threads", expect=0)
        assert [(t["thread_id"], t["status"]) for t in killed] == [("k1", "running")]
        resumed = baton("resume", "k1")
        assert resumed.returncode == 3, (resumed.stdout, resumed.stderr)
        assert "· issue_refund" in resumed.stdout
        done = baton.approve_until_done("k1")
        assert done["final_answer"] == expected.result()["final_answer"]
    assert len(baton.refunds_for(5531)) == 1
    assert len(baton.emails()) == 1


def test_killed_right_after_the_refund_never_refunds_twice(baton: Baton) -> None:
    assert baton("run", DOUBLE_CHARGE, "--thread", "k2").returncode == 3
    run_and_kill(baton, "issue_refund ok", "resume", "k2", "--approve", "all")
    assert len(baton.refunds_for(5531)) == 1

    done = baton.approve_until_done("k2")
    assert done["status"] == "done"
    assert len(baton.refunds_for(5531)) == 1
    assert len(baton.emails()) == 1
    effects = baton.json("show", "k2", expect=0)["effects"]
    assert [e["tool"] for e in effects] == ["issue_refund", "send_email"]
