"""``baton serve`` driven by the stock ``langgraph-sdk``: flows, tenants, one run per thread.

One server process (module scope) over its own BATON_HOME serves every test here; each
test uses its own thread and, where money moves, its own order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.errors import AuthenticationError, NotFoundError
from serve_process import KEYS, Server

pytestmark = pytest.mark.e2e

DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
DOUBLE_5602 = "Customer 1077 was charged twice for order 5602; refund the duplicate and email them."
POLICY = "How long does a refund for a duplicate charge take to reach the customer?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("serve")
    running = Server(workdir / "home").start()
    try:
        yield running
    finally:
        running.stop()


def acme(server: Server) -> Any:
    return get_client(url=server.url, api_key=KEYS["acme"])


def _status(outcome: object) -> int | None:
    """The HTTP status of a refusal (``runs.wait`` raises httpx's own error)."""
    return outcome.response.status_code if isinstance(outcome, httpx.HTTPStatusError) else None


async def _interrupts(client: Any, thread_id: str) -> list[dict[str, Any]]:
    state = await client.threads.get_state(thread_id)
    return list(state["interrupts"])


async def _stream_turn(
    client: Any, thread_id: str, **run: Any
) -> tuple[list[str], list[dict[str, Any]], list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Stream one run in the modes a chat UI asks for; (event names, interrupts, messages)."""
    names: list[str] = []
    waiting: list[dict[str, Any]] = []
    messages: list[tuple[dict[str, Any], dict[str, Any]]] = []
    async for part in client.runs.stream(
        thread_id, "baton", stream_mode=["updates", "messages-tuple", "custom"], **run
    ):
        names.append(part.event)
        if part.event == "updates" and "__interrupt__" in part.data:
            waiting = part.data["__interrupt__"]
        if part.event == "messages":
            chunk, metadata = part.data
            messages.append((chunk, metadata))
    return names, waiting, messages


async def test_double_charge_over_the_stream_then_a_follow_up_turn(server: Server) -> None:
    client = acme(server)
    tid = (await client.threads.create(metadata={"case": "double-5531"}))["thread_id"]
    names, waiting, _ = await _stream_turn(
        client, tid, input={"messages": [{"type": "human", "content": DOUBLE_5531}]}
    )
    assert names[0] == "metadata" and names[-1] == "end" and "custom" in names
    (refund,) = waiting
    assert refund["value"]["name"] == "issue_refund"
    assert refund["value"]["args"]["order_id"] == 5531
    assert (await client.threads.get(tid))["status"] == "interrupted"

    approve = {"resume": {refund["id"]: {"type": "approve"}}}
    _, waiting, _ = await _stream_turn(client, tid, command=approve)
    (email,) = waiting
    assert email["value"]["name"] == "send_email"
    assert server.refunds(5531) == [12900]

    approve = {"resume": {email["id"]: {"type": "approve"}}}
    names, waiting, messages = await _stream_turn(client, tid, command=approve)
    assert waiting == []
    thread = await client.threads.get(tid)
    values = thread["values"]
    assert thread["status"] == "idle" and values["status"] == "done"
    answer = values["messages"][-1]
    assert answer["type"] == "ai" and answer["content"] == values["final_answer"]
    tokens = [c for c, meta in messages if meta["langgraph_node"] == "synthesize"]
    assert len(tokens) > 3, "the answer arrives in chunks"
    assert {c["id"] for c in tokens} == {answer["id"]}
    assert "".join(c["content"] for c in tokens).strip() == answer["content"]
    assert server.refunds(5531) == [12900]
    assert len(server.emails()) == 1

    # A follow-up turn on the same thread answers from what the first turn did.
    result = await client.runs.wait(tid, "baton", input={"request": "What did you refund?"})
    assert result["status"] == "done" and result["turn"] == 2
    assert "129.00 USD on order 5531" in result["final_answer"]
    assert [m["type"] for m in result["messages"]] == ["human", "ai", "human", "ai"]
    assert server.refunds(5531) == [12900] and len(server.emails()) == 1
    runs = await client.runs.list(tid)
    assert [r["status"] for r in runs] == ["success"] * 4
    listed = await client.threads.search(metadata={"graph_id": "baton", "case": "double-5531"})
    assert [t["thread_id"] for t in listed] == [tid]


async def test_two_concurrent_resumes_one_conflict_one_effect(server: Server) -> None:
    client = acme(server)
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "baton", input={"request": DOUBLE_5602})
    (refund,) = await _interrupts(client, tid)
    approve = {"resume": {refund["id"]: {"type": "approve"}}}
    outcomes = await asyncio.gather(
        client.runs.wait(tid, "baton", command=approve),
        client.runs.wait(tid, "baton", command=approve),
        return_exceptions=True,
    )
    conflicts = [o for o in outcomes if _status(o) == 409]
    results = [o for o in outcomes if isinstance(o, dict)]
    assert len(conflicts) == 1 and len(results) == 1, outcomes
    assert results[0]["__interrupt__"][0]["value"]["name"] == "send_email"
    assert server.refunds(5602) == [4900]

    # The thread now waits for the email's approval: a new turn must not slip past it.
    with pytest.raises(httpx.HTTPStatusError, match="409") as refused:
        await client.runs.wait(tid, "baton", input={"request": POLICY})
    assert "waiting for approval" in str(refused.value.__notes__)
    emails = len(server.emails())
    result = await client.runs.wait(
        tid, "baton", input={"request": POLICY}, multitask_strategy="interrupt"
    )
    assert result["status"] == "done" and result["turn"] == 2
    assert await _interrupts(client, tid) == []
    assert len(server.emails()) == emails, "the abandoned email was never sent"
    assert server.audit_events(tid).count("abandoned") == 1


async def test_another_tenant_cannot_see_or_touch_a_thread(server: Server) -> None:
    mine = acme(server)
    theirs = get_client(url=server.url, api_key=KEYS["globex"])
    tid = (await mine.threads.create(metadata={"owner": "acme"}))["thread_id"]
    with pytest.raises(NotFoundError):
        await theirs.threads.get(tid)
    with pytest.raises(NotFoundError):
        await theirs.threads.get_state(tid)
    with pytest.raises(httpx.HTTPStatusError, match="404"):
        await theirs.runs.wait(tid, "baton", input={"request": POLICY})
    assert await theirs.threads.search(metadata={"owner": "acme"}) == []
    assert [t["thread_id"] for t in await mine.threads.search(metadata={"owner": "acme"})] == [tid]
    with pytest.raises(AuthenticationError):
        await get_client(url=server.url, api_key="not-a-key-at-all").threads.get(tid)


def test_sync_client_answers_a_policy_question(server: Server) -> None:
    client = get_sync_client(url=server.url, api_key=KEYS["acme"])
    assistants = {a["graph_id"] for a in client.assistants.search(limit=50)}
    assert {"baton", "researcher", "analyst", "writer", "operator"} <= assistants
    thread = client.threads.create()
    result = client.runs.wait(thread["thread_id"], "baton", input={"request": POLICY})
    assert result["status"] == "done"
    assert result["final_answer"]
