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


async def test_double_charge_streams_to_two_approvals_one_refund_one_email(server: Server) -> None:
    client = acme(server)
    thread = await client.threads.create(metadata={"case": "double-5531"})
    tid = thread["thread_id"]
    seen: list[str] = []
    waiting: list[dict[str, Any]] = []
    async for part in client.runs.stream(
        tid, "baton", input={"request": DOUBLE_5531}, stream_mode=["updates", "custom"]
    ):
        seen.append(part.event)
        if part.event == "updates" and "__interrupt__" in part.data:
            waiting = part.data["__interrupt__"]
    assert seen[0] == "metadata" and seen[-1] == "end"
    (refund,) = waiting
    assert refund["value"]["name"] == "issue_refund"
    assert refund["value"]["args"]["order_id"] == 5531
    assert (await client.threads.get(tid))["status"] == "interrupted"

    async for part in client.runs.stream(
        tid, "baton", command={"resume": {refund["id"]: {"type": "approve"}}}, stream_mode="updates"
    ):
        if part.event == "updates" and "__interrupt__" in part.data:
            waiting = part.data["__interrupt__"]
    (email,) = waiting
    assert email["value"]["name"] == "send_email"
    assert server.refunds(5531) == [12900]

    final: dict[str, Any] = {}
    async for part in client.runs.stream(
        tid, "baton", command={"resume": {email["id"]: {"type": "approve"}}}, stream_mode="values"
    ):
        if part.event == "values":
            final = part.data
    assert final["status"] == "done"
    assert "[s4]" in final["final_answer"] or "refund" in final["final_answer"].lower()
    assert server.refunds(5531) == [12900]
    assert len(server.emails()) == 1
    thread = await client.threads.get(tid)
    assert thread["status"] == "idle" and thread["interrupts"] == {}
    runs = await client.runs.list(tid)
    assert [r["status"] for r in runs] == ["success"] * 3


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
