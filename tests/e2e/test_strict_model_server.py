"""``baton`` as a real process against a strict OpenAI-compatible server on loopback.

The server (``tests/openai_server``) refuses what llama.cpp and vLLM refuse (null content,
``json_schema`` response formats, long ``maxLength`` grammars) and ignores tools sent
without ``tool_choice``; it answers the double-charge flow from a script. The flow runs
through a server that is down at first and busy (503) later: the run ends ``failed`` with
one line each time and ``baton resume`` continues it, with no request refused otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_process import DOUBLE_CHARGE, Baton
from openai_server.server import ScriptedServer

SCRIPT = Path(__file__).parent.parent / "openai_server" / "double_charge.json"


def talking_to(server: ScriptedServer, home: Path) -> Baton:
    return Baton(
        home,
        extra_env={"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": server.base_url},
    )


def _named(body: dict[str, Any]) -> dict[str, Any]:
    """The named-function ``tool_choice`` of a structured request, to compare with."""
    names = [t["function"]["name"] for t in body["tools"]]
    return {"type": "function", "function": {"name": names[0]}}


def test_a_run_the_server_failed_resumes_from_its_checkpoint_once_it_is_back(
    tmp_path: Path,
) -> None:
    replies = json.loads(SCRIPT.read_text())
    first_operator = next(i for i, r in enumerate(replies) if "operator" in r["when"])
    busy = {"when": replies[first_operator]["when"], "status": 503, "message": "server busy"}
    replies[first_operator + 1 : first_operator + 1] = [busy] * 3
    server = ScriptedServer(replies)  # not started: nothing listens on its port yet
    baton = talking_to(server, tmp_path / "home")

    down = baton("run", DOUBLE_CHARGE, "--thread", "dc")
    assert down.returncode == 1, (down.stdout, down.stderr)
    assert "status: failed" in down.stdout and down.stderr == ""
    (error,) = [line for line in down.stdout.splitlines() if line.startswith("error:")]
    assert "triage: model gpt-4o-mini failed: " in error and "Connection" in error
    assert error.endswith("`baton resume dc` continues it")
    (listed,) = baton.json("threads", expect=0)
    assert listed["status"] == "failed"
    shown = baton.json("show", "dc", expect=0)
    assert shown["status"] == "failed" and shown["error"] == error.removeprefix("error: ")

    with server:
        back = baton.json("resume", "dc", expect=3)  # triaged, planned, worked: the refund waits
        busy_now = baton.json("resume", "dc", "--approve", "all", expect=1)
        assert busy_now["status"] == "failed"
        assert "HTTP 503: server busy (after 3 attempts)" in busy_now["error"]
        assert len(baton.refunds_for(5531)) == 1  # done before the server went busy
        again = baton.json("resume", "dc", expect=3)  # the operator goes on: the email waits
        final = baton.approve_until_done("dc")
    assert [p["tool"] for p in back["pending"]] == ["issue_refund"]
    assert [p["tool"] for p in again["pending"]] == ["send_email"]
    assert final["status"] == "done"
    assert len(baton.refunds_for(5531)) == 1 and len(baton.emails()) == 1
    assert [e["status"] for e in server.script.rejected()] == [503, 503, 503]  # only those
    assert server.script.replies == []  # every scripted reply was asked for
    assert [e for e in server.script.log if e.get("tools_ignored")] == []
    bodies: list[dict[str, Any]] = [e["body"] for e in server.script.log]
    assert len(bodies) == 14 + 3
    with_tools = [b for b in bodies if b.get("tools")]
    assert with_tools and all(b["tool_choice"] in ("auto", _named(b)) for b in with_tools)
    assert all(isinstance(m["content"], str) for b in bodies for m in b["messages"])
    assert "maxLength" not in json.dumps([b.get("tools") for b in bodies])
    triage = [e for e in server.script.log if "triage router" in json.dumps(e["body"])]
    assert len(triage) == 1  # the resumed run did not start over
