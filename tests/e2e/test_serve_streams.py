"""Streams of ``baton serve``: reconnection with ``Last-Event-ID``, and ``RemoteGraph``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from drop_proxy import DropProxy
from langgraph.graph import END, START, StateGraph
from langgraph.pregel.remote import RemoteGraph
from langgraph_sdk import get_client
from serve_process import KEYS, Server
from typing_extensions import TypedDict

pytestmark = pytest.mark.e2e

POLICY = "How long does a refund for a duplicate charge take to reach the customer?"
BUG = "The export button crashes with a 500 error for customer 1015; please file a ticket."
MODES = ["values", "updates", "tasks"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve-streams") / "home").start()
    try:
        yield running
    finally:
        running.stop()


def _key(part: Any) -> tuple[str, str]:
    return (str(part.id), part.event)


async def _replay(client: Any, thread_id: str, run_id: str) -> list[tuple[str, str]]:
    return [_key(p) async for p in client.runs.join_stream(thread_id, run_id)]


async def test_a_dropped_stream_continues_after_last_event_id(server: Server) -> None:
    client = get_client(url=server.url, api_key=KEYS["acme"])
    tid = (await client.threads.create())["thread_id"]
    first: list[Any] = []
    async for part in client.runs.stream(tid, "baton", input={"request": BUG}, stream_mode=MODES):
        first.append(part)
        if len(first) == 4:
            break  # the client goes away mid-run
    run_id = first[0].data["run_id"]
    rest = [p async for p in client.runs.join_stream(tid, run_id, last_event_id=str(first[-1].id))]
    seen = [_key(p) for p in first + rest]
    everything = await _replay(client, tid, run_id)
    assert seen == everything
    assert [int(i) for i, _ in seen] == list(range(1, len(seen) + 1))
    assert everything[0][1] == "metadata" and everything[-1][1] == "end"


async def test_the_sdk_reconnects_by_itself_when_the_connection_is_cut(server: Server) -> None:
    async with DropProxy(server.port, cut_after=3) as proxy:
        client = get_client(url=proxy.url, api_key=KEYS["acme"])
        tid = (await client.threads.create())["thread_id"]
        seen = [
            _key(p)
            async for p in client.runs.stream(
                tid, "baton", input={"request": POLICY}, stream_mode=MODES
            )
        ]
        assert proxy.cuts == 1
    run_id = (await client.runs.list(tid))[0]["run_id"]
    direct = get_client(url=server.url, api_key=KEYS["acme"])
    assert seen == await _replay(direct, tid, run_id)
    assert len(seen) == len(set(seen)) > 3


class Local(TypedDict, total=False):
    request: str
    final_answer: str
    status: str
    checked: bool


async def test_remote_graph_is_a_node_of_a_local_graph(server: Server) -> None:
    remote = RemoteGraph("baton", url=server.url, api_key=KEYS["acme"])

    def check(state: Local) -> Local:
        return {"checked": state.get("status") == "done"}

    builder = StateGraph(Local)
    builder.add_node("baton", remote)
    builder.add_node("check", check)
    builder.add_edge(START, "baton")
    builder.add_edge("baton", "check")
    builder.add_edge("check", END)
    local = builder.compile()
    out = await local.ainvoke({"request": POLICY})
    assert out["checked"] is True
    assert "refund" in out["final_answer"].lower()
