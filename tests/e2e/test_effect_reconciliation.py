"""A crash that hides whether an email left over SMTP asks a human instead of resending."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_process import DOUBLE_CHARGE
from crash_matrix import KILLED, Home
from reliability_log import report
from smtp_server import serve_smtp

pytestmark = pytest.mark.e2e
SENDING_PROCESS = 2  # run (0), approve the refund (1), approve the email (2)


class Inbox:
    """An SMTP server that accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(bytes(envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    with serve_smtp(inbox) as url:
        yield url, inbox


def crashed_while_emailing(
    tmp_path: Path, url: str, point: str, database_url: str | None
) -> tuple[Home, dict[str, Any]]:
    """Kill the process that sends the email at ``point``; resume; return the question."""
    home = Home(tmp_path / "home", database_url=database_url)
    home.path.mkdir(parents=True)
    (home.path.parent / ".env").write_text(f"BATON_SMTP_URL={url}\n")
    home.sequence(DOUBLE_CHARGE, "t", crash=(SENDING_PROCESS, point))
    assert home.processes[-1].returncode == KILLED
    resumed = home.baton("resume", "t", "--json")
    assert resumed.returncode == 3, (resumed.stdout, resumed.stderr)
    (question,) = json.loads(resumed.stdout)["pending"]
    assert question["kind"] == "effect_reconciliation"
    assert question["tool"] == "send_email"
    return home, question


def test_sent_over_smtp_then_killed_asks_and_sent_records_it_once(
    tmp_path: Path, smtp: tuple[str, Inbox], full_engine: str | None
) -> None:
    url, inbox = smtp
    home, question = crashed_while_emailing(tmp_path, url, "email:after_smtp", full_engine)
    assert len(inbox.messages) == 1
    again = home.baton("resume", "t", "--approve", "all", "--json")
    assert again.returncode == 3  # --approve all never answers a reconciliation question
    assert len(inbox.messages) == 1
    refused = home.baton("resume", "t", "--approve", question["id"])
    assert refused.returncode == 2 and "use --sent or --not-sent" in refused.stderr
    done = home.baton("resume", "t", "--sent", question["id"], "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert len(inbox.messages) == 1
    assert home.world_count("refunds", "order_id = 5531") == 1
    assert home.effects()["emails"] == 1
    details = home.show("t")
    assert [(e["tool"], e["status"]) for e in details["effects"]] == [
        ("issue_refund", "done"),
        ("send_email", "done"),
    ]
    events = [(a["tool"], a["event"], a["decision"]) for a in details["audit"]]
    assert ("send_email", "reconciled", "sent") in events
    report("effect reconciliation", kills=1, faults={"SIGKILL": 1}, checks=1, engine=_engine(home))


def test_killed_before_the_backend_and_not_sent_sends_it_once(
    tmp_path: Path, smtp: tuple[str, Inbox], full_engine: str | None
) -> None:
    url, inbox = smtp
    home, question = crashed_while_emailing(
        tmp_path, url, "effect:send_email:before_backend", full_engine
    )
    assert inbox.messages == []
    done = home.baton("resume", "t", "--not-sent", question["id"], "--json")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert len(inbox.messages) == 1
    assert home.world_count("refunds", "order_id = 5531") == 1
    assert home.effects()["emails"] == 1
    assert home.unhandled == 0
    report("effect reconciliation", kills=1, faults={"SIGKILL": 1}, checks=1, engine=_engine(home))


def _engine(home: Home) -> str:
    return "sqlite" if home.database_url is None else "postgresql"
