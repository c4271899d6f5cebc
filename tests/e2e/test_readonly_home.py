"""Inspecting threads needs no write access: the read-only commands on a read-only home.

The home is bind-mounted read-only onto itself in a private mount namespace (``unshare
-Urm``, no privileges needed where user namespaces are allowed), so every write fails with
EROFS as it would on a read-only volume or a backup, whoever runs the test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import pytest
from cli_process import DOUBLE_CHARGE, Baton, cli_env

pytestmark = pytest.mark.e2e

UNSHARE = shutil.which("unshare")


def fingerprint(baton: Baton) -> dict[str, str]:
    """Every file of the home and a hash of its bytes."""
    return {
        str(p.relative_to(baton.home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(baton.home.rglob("*"))
        if p.is_file()
    }


def _in_read_only_home(baton: Baton, *command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with BATON_HOME mounted read-only."""
    home = str(baton.home)
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return subprocess.run(
        [UNSHARE or "unshare", "-Urm", "sh", "-c", script, "sh", home, *command],
        env=cli_env(baton.home),
        cwd=baton.home.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _read_only(baton: Baton, *args: str) -> subprocess.CompletedProcess[str]:
    """``baton ARGS`` with BATON_HOME mounted read-only."""
    return _in_read_only_home(baton, sys.executable, "-m", "baton", *args)


def _namespaces_work(baton: Baton) -> bool:
    return UNSHARE is not None and _in_read_only_home(baton, "true").returncode == 0


def test_threads_show_history_and_trace_work_on_a_read_only_home(baton: Baton) -> None:
    assert baton("run", DOUBLE_CHARGE, "--thread", "ro").returncode == 3
    if not _namespaces_work(baton):
        pytest.skip("unshare -Urm (a user and mount namespace) is not available here")
    before = fingerprint(baton)
    probe = _in_read_only_home(baton, "touch", str(baton.home / "probe"))
    assert probe.returncode != 0 and "Read-only file system" in probe.stderr  # really read-only

    threads = _read_only(baton, "threads", "--json")
    assert threads.returncode == 0, threads.stderr
    assert [(t["thread_id"], t["status"]) for t in json.loads(threads.stdout)] == [
        ("ro", "waiting")
    ]
    show = _read_only(baton, "show", "ro", "--json")
    assert show.returncode == 0, show.stderr
    shown = json.loads(show.stdout)
    assert shown["status"] == "waiting" and shown["pending"][0]["tool"] == "issue_refund"
    assert shown["usage"]["model_calls"] > 0 and shown["audit"]
    history = _read_only(baton, "history", "ro", "--json")
    assert history.returncode == 0, history.stderr
    assert len(json.loads(history.stdout)) > 3
    trace = _read_only(baton, "trace", "ro")
    assert trace.returncode == 0, trace.stderr
    assert "model_call" in trace.stdout
    assert fingerprint(baton) == before
