"""``baton`` as a real process against a strict OpenAI-compatible server on loopback.

The server (``tests/openai_server``) refuses what llama.cpp and vLLM refuse (null content,
``json_schema`` response formats, long ``maxLength`` grammars) and ignores tools sent
without ``tool_choice``; it answers the double-charge flow from a script.
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


def test_the_double_charge_flow_runs_with_no_request_rejected(tmp_path: Path) -> None:
    with ScriptedServer(json.loads(SCRIPT.read_text())) as server:
        baton = talking_to(server, tmp_path / "home")
        first = baton("run", DOUBLE_CHARGE, "--thread", "dc", "--json")
        assert first.returncode == 3, (first.stdout, first.stderr)
        final = baton.approve_until_done("dc")
    assert final["status"] == "done"
    log = server.script.log
    assert server.script.rejected() == []
    assert [e for e in log if e.get("tools_ignored")] == []
    assert server.script.replies == []  # every scripted reply was asked for
    bodies: list[dict[str, Any]] = [e["body"] for e in log]
    assert len(bodies) == 14
    assert all(
        b["tool_choice"] in ("auto", {"type": "function", "function": {"name": n}})
        for b in bodies
        if b.get("tools")
        for n in [_forced(b)]
    )
    assert all(isinstance(m["content"], str) for b in bodies for m in b["messages"])
    assert "maxLength" not in json.dumps([b.get("tools") for b in bodies])
    assert len(baton.refunds_for(5531)) == 1
    assert len(baton.emails()) == 1


def _forced(body: dict[str, Any]) -> str:
    choice = body.get("tool_choice")
    return str(choice["function"]["name"]) if isinstance(choice, dict) else ""
