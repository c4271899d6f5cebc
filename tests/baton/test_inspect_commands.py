"""``threads``, ``show``, ``history`` and ``trace`` on prepared threads, human and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baton.cli import main


def test_no_threads_yet_creates_nothing(
    capsys: pytest.CaptureFixture[str], home: Path, engine: str
) -> None:
    assert main(["threads"]) == 0
    assert capsys.readouterr().out == "no threads yet\n"
    assert main(["threads", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not home.exists()


def test_threads_lists_status_and_request(
    capsys: pytest.CaptureFixture[str], engine_threads_home: Path
) -> None:
    assert main(["threads", "--json"]) == 0
    rows = {row["thread_id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["waiting"]["status"] == "waiting"
    assert rows["finished"]["status"] == "done"
    assert rows["finished"]["request"].startswith("Bug report from customer 1077")
    assert main(["threads"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["THREAD", "STATUS", "UPDATED", "REQUEST"]
    assert "waiting" in out and "done" in out


def test_show_waiting_thread(capsys: pytest.CaptureFixture[str], threads_home: Path) -> None:
    assert main(["show", "waiting", "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert details["route"]["route"] == "orchestrate"
    assert [s["id"] for s in details["plan"]] == ["s1", "s2", "s3", "s4"]
    assert details["plan"][2]["depends_on"] == ["s1", "s2"]
    assert details["results"]["s3"]["draft"]["to"] == "dana.whitfield@example.com"
    assert [p["tool"] for p in details["pending"]] == ["issue_refund"]
    assert details["effects"] == []
    assert details["usage"]["model_calls"] > 0
    assert main(["show", "waiting"]) == 0
    out = capsys.readouterr().out
    assert "s3 writer [ok]" in out and "pending approvals:" in out and "effects: none" in out


def test_show_finished_ticket_thread(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["show", "finished", "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert details["status"] == "done"
    assert details["ticket_id"] == 1
    assert details["final_answer"].startswith("Filed ticket #1")


def test_history_is_oldest_first(capsys: pytest.CaptureFixture[str], threads_home: Path) -> None:
    assert main(["history", "finished", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["step"] == -1 and rows[0]["source"] == "input"
    assert [r["step"] for r in rows] == sorted(r["step"] for r in rows)
    assert rows[-1]["next"] == []
    assert main(["history", "finished"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:3] == ["STEP", "SOURCE", "CHECKPOINT"]


def test_trace_groups_events_by_step(
    capsys: pytest.CaptureFixture[str], threads_home: Path
) -> None:
    assert main(["trace", "waiting", "--json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    kinds = {e["kind"] for e in events}
    assert {"model_call", "route", "plan", "tool_call", "review_verdict"} <= kinds
    assert main(["trace", "waiting"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "triage"
    assert any("model_call" in line and "baton-offline-stand-in" in line for line in lines)
    assert "s1" in lines and any("sql_query" in line for line in lines)
