"""The ``replicas`` bench workload: skipped with the reason when PostgreSQL is unreachable,
and its figures in the table and checked against the recovery target."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bench import replicas
from bench.report import table
from bench.targets import check_all


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_server_skips_the_workload_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://bench:secret@127.0.0.1:{_closed_port()}/postgres"
    monkeypatch.setattr(replicas, "ADMIN_URL", url)
    result = replicas.run(tmp_path, flows=1, repeats=1)
    reason = result["skipped"]
    assert "unreachable" in reason and "secret" not in reason and "\n" not in reason
    assert "replicas: skipped" in capsys.readouterr().out
    assert f"replicas: skipped: {reason}" in table({"replicas": result}, [])
    (verdict,) = [v for v in check_all({"replicas": result}) if "recovery" in v["target"]]
    assert verdict["verdict"] == "SKIP"


def test_measured_figures_are_shown_and_checked() -> None:
    side = {"flows": 12, "flows_per_s": 1.5, "runs_taken_over": 0}
    result = {
        "one": side,
        "three": {**side, "flows_per_s": 1.2},
        "three_over_one": 0.8,
        "recovery": {"repeats": 5, "median_s": 3.1, "max_s": 5.2, "seconds": [5.2]},
    }
    text = table({"replicas": result}, check_all({"replicas": result}))
    assert "median 3.10   max 5.20" in text and "0 runs taken over" in text
    assert "MISS  replica recovery after SIGKILL, max seconds <= 5" in text
