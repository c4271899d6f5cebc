"""The test server refuses what mainstream servers refuse, and ignores tools without choice."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_server.server import ScriptedServer

TOOL = {
    "type": "function",
    "function": {
        "name": "kb_search",
        "description": "search",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}
CALL = {"id": "c1", "name": "kb_search", "arguments": {"query": "refunds"}}


@pytest.fixture(scope="module")
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def post(server: ScriptedServer, **body: Any) -> httpx.Response:
    body.setdefault("model", "m")
    body.setdefault("messages", [{"role": "user", "content": "hi"}])
    return httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=10)


def test_null_content_is_a_500_as_llama_cpp_answers(server: ScriptedServer) -> None:
    server.script.add([{"content": "unused"}])
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": None, "tool_calls": []},
    ]
    answer = post(server, messages=messages)
    assert answer.status_code == 500
    assert answer.json()["error"]["message"] == "messages.1.content: Input should be a valid string"
    server.script.replies.clear()


def test_a_json_schema_response_format_is_refused(server: ScriptedServer) -> None:
    answer = post(server, response_format={"type": "json_schema", "json_schema": {}})
    assert answer.status_code == 400


def test_a_long_max_length_kills_the_grammar(server: ScriptedServer) -> None:
    long_tool = {
        "type": "function",
        "function": {
            "name": "send_email",
            "parameters": {
                "type": "object",
                "properties": {"body": {"type": "string", "maxLength": 5000}},
            },
        },
    }
    answer = post(server, tools=[long_tool], tool_choice="auto")
    assert answer.status_code == 500
    assert "maxLength 5000" in answer.json()["error"]["message"]


def test_tools_without_tool_choice_get_plain_text(server: ScriptedServer) -> None:
    server.script.add([{"content": "just text", "tool_calls": [CALL]}])
    message = post(server, tools=[TOOL]).json()["choices"][0]["message"]
    assert message["content"] == "just text" and "tool_calls" not in message
    assert server.script.log[-1]["tools_ignored"] is True


def test_tools_with_tool_choice_auto_are_called(server: ScriptedServer) -> None:
    server.script.add([{"content": "", "tool_calls": [CALL]}])
    message = post(server, tools=[TOOL], tool_choice="auto").json()["choices"][0]["message"]
    assert message["content"] is None
    assert message["tool_calls"][0]["function"]["name"] == "kb_search"


def test_replies_go_to_the_request_they_name(server: ScriptedServer) -> None:
    server.script.add([{"when": "analyst", "content": "A"}, {"when": "writer", "content": "W"}])
    writer = post(server, messages=[{"role": "system", "content": "You are the writer."}])
    analyst = post(server, messages=[{"role": "system", "content": "You are the analyst."}])
    assert writer.json()["choices"][0]["message"]["content"] == "W"
    assert analyst.json()["choices"][0]["message"]["content"] == "A"


def test_a_request_with_no_scripted_reply_is_an_error(server: ScriptedServer) -> None:
    assert post(server).status_code == 500


def test_replies_can_be_posted_and_the_log_read_over_http(server: ScriptedServer) -> None:
    admin = server.base_url.removesuffix("/v1")
    queued = httpx.post(f"{admin}/admin/replies", json=[{"content": "posted"}], timeout=10)
    assert queued.json() == {"queued": 1}
    answer = post(server, messages=[{"role": "user", "content": "over http"}])
    assert answer.json()["choices"][0]["message"]["content"] == "posted"
    log = httpx.get(f"{admin}/admin/requests", timeout=10).json()
    assert log[-1]["body"]["messages"] == [{"role": "user", "content": "over http"}]
    assert log[-1]["status"] == 200


def test_it_runs_as_a_process_too(tmp_path: Path) -> None:
    script = tmp_path / "replies.json"
    script.write_text('[{"content": "from a file"}]')
    tests = Path(__file__).parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "openai_server", "--script", str(script)],
        cwd=tests,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip().removeprefix("OPENAI_BASE_URL=")
        reply = None
        for _ in range(100):
            try:
                reply = httpx.post(
                    f"{base_url}/chat/completions",
                    json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
                    timeout=10,
                )
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert reply is not None, "the server process never answered"
        assert reply.json()["choices"][0]["message"]["content"] == "from a file"
    finally:
        process.terminate()
        process.wait(timeout=10)
