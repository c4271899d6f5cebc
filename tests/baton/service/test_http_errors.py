"""Every refusal is a 4xx with a one-line ``detail``; nothing is written for bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from served import GLOBEX, Served, served

from graphs.settings import Settings

# One application for the module: every test here only reads, or writes its own thread.
pytestmark = pytest.mark.asyncio(loop_scope="module")

REQUEST = "How long does a refund for a duplicate charge take to reach the customer?"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Served]:
    home = tmp_path_factory.mktemp("http-errors") / "home"
    async with served(Settings(home=home, _env_file=None), max_body_bytes=4096) as running:
        yield running


async def _detail(response: object) -> str:
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail
    return detail


async def test_callers_without_a_known_key_are_refused(app: Served) -> None:
    async with app.as_tenant(None) as anonymous:
        reply = await anonymous.post("/threads", json={})
        assert reply.status_code == 401
        assert "missing API key" in await _detail(reply)
    async with app.as_tenant("wrong-key-0123456789") as stranger:
        reply = await stranger.get("/info")
        assert reply.status_code == 401
    bearer = {"Authorization": f"Bearer {GLOBEX}"}
    async with app.as_tenant(None) as client:
        reply = await client.get("/info", headers=bearer)
        assert reply.json()["host"]["tenant"] == "globex"
    assert (await app.http.get("/ok")).status_code == 200


async def test_an_oversized_body_is_refused_before_it_is_read(app: Served) -> None:
    big = {"metadata": {"blob": "x" * 10_000}}
    reply = await app.http.post("/threads", json=big)
    assert reply.status_code == 413
    assert "BATON_MAX_BODY_BYTES" in await _detail(reply)
    assert (await app.http.post("/threads/search", json={"metadata": {"blob": "x"}})).json() == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"assistant_id": "baton", "input": {"request": ""}}, "the request is empty"),
        ({"assistant_id": "baton", "input": {"request": "x" * 4001}}, "the limit is 4000"),
        ({"assistant_id": "baton", "input": {"requets": REQUEST}}, "input.requets"),
        (
            {"assistant_id": "baton", "input": {"messages": [{"type": "ai", "content": "hi"}]}},
            "human message",
        ),
        ({"assistant_id": "baton", "input": {"messages": [{"wat": 1}]}}, "input.messages"),
        ({"assistant_id": "baton", "input": {}}, 'send {"messages"'),
        (
            {"assistant_id": "baton", "input": {"request": REQUEST}, "stream_mode": "events"},
            "stream_mode",
        ),
        (
            {"assistant_id": "baton", "input": {"request": REQUEST}, "webhook": "http://x"},
            "webhook",
        ),
        ({"assistant_id": "baton", "command": {"goto": "finish"}}, "only resume"),
        (
            {"assistant_id": "baton", "input": {"request": REQUEST}, "command": {"resume": 1}},
            "one or the other",
        ),
        ({"assistant_id": "baton", "input": {"request": REQUEST}, "context": {"a": 1}}, "context"),
        ({"assistant_id": "baton", "input": {"request": REQUEST}, "surprise": 1}, "surprise"),
        ({"assistant_id": "nobody", "input": {"request": REQUEST}}, "assistant nobody not found"),
        (
            {
                "assistant_id": "baton",
                "input": {"request": REQUEST},
                "config": {"configurable": {"thread_id": "someone-else"}},
            },
            "configurable.thread_id",
        ),
        (
            {
                "assistant_id": "baton",
                "input": {"request": REQUEST},
                "config": {"recursion_limit": 5000},
            },
            "recursion_limit",
        ),
    ],
)
async def test_bad_run_requests_are_refused_and_write_nothing(
    app: Served, body: dict[str, object], says: str
) -> None:
    thread = (await app.http.post("/threads", json={})).json()["thread_id"]
    reply = await app.http.post(f"/threads/{thread}/runs/wait", json=body)
    assert reply.status_code in (404, 422), reply.text
    assert says in await _detail(reply)
    assert (await app.http.get(f"/threads/{thread}/runs")).json() == []
    assert (await app.http.get(f"/threads/{thread}")).json()["status"] == "idle"


async def test_unknown_and_foreign_things_are_not_found(app: Served) -> None:
    for path in ("/threads/nope", "/threads/../etc", "/threads/x/runs/y", "/assistants/nope"):
        reply = await app.http.get(path)
        assert reply.status_code == 404, path
    mine = (await app.http.post("/threads", json={})).json()["thread_id"]
    async with app.as_tenant(GLOBEX) as theirs:
        assert (await theirs.get(f"/threads/{mine}")).status_code == 404
        assert (await theirs.delete(f"/threads/{mine}")).status_code == 404
        reply = await theirs.post("/threads", json={"thread_id": mine})
        assert reply.status_code == 409
    assert (await app.http.get(f"/threads/{mine}")).status_code == 200


async def test_the_openapi_document_describes_every_route(app: Served) -> None:
    document = (await app.http.get("/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/ok",
        "/info",
        "/assistants/search",
        "/assistants/{assistant_id}/schemas",
        "/threads",
        "/threads/search",
        "/threads/{thread_id}/state",
        "/threads/{thread_id}/history",
        "/threads/{thread_id}/runs/stream",
        "/threads/{thread_id}/runs/{run_id}/join",
        "/threads/{thread_id}/runs/{run_id}/cancel",
        "/runs/stream",
        "/runs/wait",
    ):
        assert path in paths, path
    run_body = document["components"]["schemas"]["RunCreate"]["properties"]
    assert {"multitask_strategy", "on_disconnect", "stream_mode", "command"} <= set(run_body)
    assert set(document["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}
