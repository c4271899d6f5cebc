"""A real ``langgraph dev`` server, driven with ``langgraph-sdk`` over loopback.

The server runs with ``LANGGRAPH_STRICT_MSGPACK=true``: its checkpointer then loads only
types it knows are safe, which Baton's plain-data state needs no allowlist for.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from langgraph_sdk import get_client

from tools.world import World

REPO = Path(__file__).resolve().parents[2]
REQUEST = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    workdir = tmp_path_factory.mktemp("dev")
    home = workdir / "home"
    World(home).init()
    port = _free_port()
    env = {
        **os.environ,
        "BATON_HOME": str(home),
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_STRICT_MSGPACK": "true",
        "LANGSMITH_TRACING": "false",
    }
    env.pop("OPENAI_API_KEY", None)
    cli = Path(sys.executable).with_name("langgraph")
    proc = subprocess.Popen(
        [
            str(cli),
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--config",
            str(REPO / "langgraph.json"),
        ],
        cwd=workdir,
        env=env,
        stdout=(workdir / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/ok", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log = (workdir / "server.log").read_text()[-3000:]
                    pytest.fail(f"langgraph dev did not start:\n{log}")
                time.sleep(0.5)
        yield url, workdir
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


GRAPHS = ("baton", "researcher", "analyst", "writer", "operator")


async def test_every_graph_in_langgraph_json_is_served_with_its_schemas(
    dev_server: tuple[str, Path],
) -> None:
    client = get_client(url=dev_server[0])
    assistants = {a["graph_id"]: a for a in await client.assistants.search(limit=50)}
    assert set(GRAPHS) <= set(assistants)
    for graph_id in GRAPHS:
        schemas = await client.assistants.get_schemas(assistants[graph_id]["assistant_id"])
        for kind in ("input_schema", "output_schema", "state_schema"):
            assert schemas[kind] and schemas[kind]["properties"], (graph_id, kind)
    orchestrator = await client.assistants.get_schemas(assistants["baton"]["assistant_id"])
    assert {"messages", "request"} <= set(orchestrator["input_schema"]["properties"])
    assert "messages" in orchestrator["output_schema"]["properties"]


async def test_a_chat_turn_runs_through_its_approvals_under_a_strict_serializer(
    dev_server: tuple[str, Path],
) -> None:
    url, workdir = dev_server
    home = workdir / "home"
    client = get_client(url=url)
    thread = await client.threads.create()
    tid = thread["thread_id"]
    turn = {"messages": [{"type": "human", "content": REQUEST}]}
    await client.runs.wait(tid, "baton", input=turn)
    state = await client.threads.get_state(tid)
    (pending,) = state["interrupts"]
    value = pending["value"]
    assert value["type"] == "tool_approval"
    assert value["name"] == "issue_refund"
    assert value["args"]["order_id"] == 5531
    assert {"tool_call_id", "description", "args_hash", "step", "worker"} <= set(value)

    # An edit lowers the refund; the email that follows is approved as proposed.
    edited = {**value["args"], "amount": "100.00"}
    decision = {"type": "edit", "edited_action": {"name": "issue_refund", "args": edited}}
    await client.runs.wait(tid, "baton", command={"resume": {pending["id"]: decision}})
    state = await client.threads.get_state(tid)
    (email,) = state["interrupts"]
    assert email["value"]["name"] == "send_email"
    await client.runs.wait(tid, "baton", command={"resume": {email["id"]: {"type": "approve"}}})

    final = await client.threads.get_state(tid)
    assert final["values"]["status"] == "done"
    assert not final["interrupts"]
    assert "[s4]" in final["values"]["final_answer"]
    human, answer = final["values"]["messages"]
    assert (human["type"], answer["type"]) == ("human", "ai")
    assert answer["content"] == final["values"]["final_answer"]

    # A follow-up in the same thread reads the first turn.
    follow_up = {"messages": [{"type": "human", "content": "What did you refund?"}]}
    out = await client.runs.wait(tid, "baton", input=follow_up)
    assert isinstance(out, dict) and "100.00 USD on order 5531" in out["final_answer"]

    with sqlite3.connect(home / "world.db") as conn:
        refunds = conn.execute("SELECT amount_cents FROM refunds WHERE order_id = 5531").fetchall()
    assert refunds == [(10000,)]
    assert len(list((home / "outbox").glob("*.eml"))) == 1
    log = (workdir / "server.log").read_text()
    assert "unregistered type" not in log and "Blocked deserialization" not in log


async def test_the_readme_sdk_snippet_runs_against_langgraph_dev(
    dev_server: tuple[str, Path],
) -> None:
    from readme_snippets import embedding_snippets, load

    url, workdir = dev_server
    home = workdir / "home"
    chat_over_http = load(embedding_snippets()[1])["chat_over_http"]
    request = "Customer 1077 was charged twice for order 5602; refund the duplicate and email them."
    answer = await chat_over_http(request, url=url)
    assert "refund" in answer.lower()
    with sqlite3.connect(home / "world.db") as conn:
        refunds = conn.execute("SELECT amount_cents FROM refunds WHERE order_id = 5602").fetchall()
    assert refunds == [(4900,)]
