"""Assistants, threads and run headers as LangGraph's server gives them."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from served import Served, served

from graphs.settings import Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
POLICY = "How long does a refund for a duplicate charge take to reach the customer?"
GRAPHS = {"baton", "researcher", "analyst", "writer", "operator"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    home = tmp_path_factory.mktemp("resources") / "home"
    async with served(Settings(home=home, _env_file=None)) as running:
        yield running


async def test_one_assistant_per_graph_with_langgraphs_ids(app: Served) -> None:
    namespace = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
    found = await app.sdk.assistants.search(limit=50)
    assert {a["graph_id"] for a in found} == GRAPHS
    graphs = json.loads((Path(__file__).resolve().parents[3] / "langgraph.json").read_text())
    assert set(graphs["graphs"]) == GRAPHS
    for assistant in found:
        assert assistant["assistant_id"] == str(uuid.uuid5(namespace, assistant["graph_id"]))
        by_id = await app.sdk.assistants.get(assistant["assistant_id"])
        assert by_id == await app.sdk.assistants.get(assistant["graph_id"])
        schemas = await app.sdk.assistants.get_schemas(assistant["graph_id"])
        assert schemas["input_schema"] and schemas["output_schema"] and schemas["state_schema"]
    baton = await app.sdk.assistants.get_schemas("baton")
    assert {"messages", "request"} <= set(baton["input_schema"]["properties"])
    drawn = await app.sdk.assistants.get_graph("baton")
    assert {"triage", "start_turn", "operator"} <= {n["id"] for n in drawn["nodes"]}
    assert await app.sdk.assistants.count() == len(GRAPHS)


async def test_threads_if_exists_and_if_not_exists(app: Served) -> None:
    tid = f"chat-{uuid.uuid4().hex[:8]}"
    made = await app.sdk.threads.create(thread_id=tid, metadata={"user": "dana"})
    assert made["status"] == "idle" and made["metadata"] == {"user": "dana"}
    again = await app.sdk.threads.create(thread_id=tid, if_exists="do_nothing")
    assert again["thread_id"] == tid
    with pytest.raises(httpx.HTTPStatusError) as taken:
        await app.sdk.threads.create(thread_id=tid)
    assert taken.value.response.status_code == 409
    fresh = f"chat-{uuid.uuid4().hex[:8]}"
    result = await app.sdk.runs.wait(
        fresh, "baton", input={"request": POLICY}, if_not_exists="create"
    )
    assert result["status"] == "done"
    thread = await app.sdk.threads.get(fresh)
    assert thread["metadata"]["graph_id"] == "baton"
    assert await app.sdk.threads.count(metadata={"user": "dana"}) == 1
    await app.sdk.threads.update(tid, metadata={"plan": "pro"})
    assert (await app.sdk.threads.get(tid))["metadata"] == {"user": "dana", "plan": "pro"}
    await app.sdk.threads.delete(fresh)
    with pytest.raises(httpx.HTTPStatusError) as gone:
        await app.sdk.threads.get(fresh)
    assert gone.value.response.status_code == 404


async def test_stream_and_wait_name_the_run_in_their_headers(app: Served) -> None:
    tid = (await app.sdk.threads.create())["thread_id"]
    body = {"assistant_id": "baton", "input": {"request": POLICY}}
    streamed = await app.http.post(f"/threads/{tid}/runs/stream", json=body)
    assert streamed.headers["content-type"].startswith("text/event-stream")
    run_path = streamed.headers["content-location"]
    assert streamed.headers["location"] == f"{run_path}/stream"
    run_id = run_path.rsplit("/", 1)[1]
    assert run_path == f"/threads/{tid}/runs/{run_id}"
    assert streamed.text.startswith("event: metadata\r\ndata: ")
    waited = await app.http.post(f"/threads/{tid}/runs/wait", json=body)
    assert waited.headers["location"].endswith("/join")
    assert waited.json()["turn"] == 2
    everything = re.findall(r"^id: (\d+)", streamed.text, flags=re.MULTILINE)
    replay = await app.http.get(f"{run_path}/stream", headers={"Last-Event-ID": "1"})
    assert re.findall(r"^id: (\d+)", replay.text, flags=re.MULTILINE) == everything[1:]
