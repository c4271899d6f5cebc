"""The console's JSON endpoints in this process: tenants, refusals as one line, nothing written.

One application for the module (``tests/baton/service/served.py``): a thread of tenant
acme waits for the refund of order 5531; every test reads it or is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from graphs.settings import Settings
from tests.baton.service.served import GLOBEX, Served, served

pytestmark = pytest.mark.asyncio(loop_scope="module")

DOUBLE_5531 = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Served, str]]:
    home = tmp_path_factory.mktemp("console-api") / "home"
    async with served(Settings(home=home, _env_file=None)) as running:
        thread = await running.sdk.threads.create()
        await running.sdk.runs.wait(thread["thread_id"], "baton", input={"request": DOUBLE_5531})
        yield running, str(thread["thread_id"])


def _detail(reply: Any) -> str:
    detail = reply.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and "Traceback" not in detail
    return detail


async def _pending(app: Served) -> dict[str, Any]:
    (item,) = (await app.http.get("/console/api/inbox")).json()["items"]
    return dict(item)


async def test_the_inbox_shows_what_the_approver_needs(app: tuple[Served, str]) -> None:
    served_app, thread_id = app
    item = await _pending(served_app)
    assert item["thread_id"] == thread_id and item["tool"] == "issue_refund"
    assert item["args"]["amount"] == "129.00" and item["live"]["refundable"] == "129.00 USD"
    assert item["request"] == DOUBLE_5531 and item["reason"]
    assert item["schema"]["properties"]["amount"]
    assert {v["step_id"] for v in item["reviews"]} == {"s3"}  # the email draft it depends on
    assert all(v["passed"] for v in item["reviews"])


async def test_pages_are_static_and_the_api_wants_a_key(app: tuple[Served, str]) -> None:
    served_app, thread_id = app
    async with served_app.as_tenant(None) as anonymous:
        page = await anonymous.get(f"/console/threads/{thread_id}")
        assert page.status_code == 200 and thread_id not in page.text
        assert "<script src=" in page.text and "https://" not in page.text  # no CDN
        assert (await anonymous.get("/console/static/inbox.js")).status_code == 200
        assert (await anonymous.get("/console/static/..%2Fdecide.py")).status_code == 404
        reply = await anonymous.get("/console/api/inbox")
        assert reply.status_code == 401 and "missing API key" in _detail(reply)


async def test_another_tenant_sees_nothing(app: tuple[Served, str]) -> None:
    served_app, thread_id = app
    item = await _pending(served_app)
    async with served_app.as_tenant(GLOBEX) as globex:
        assert (await globex.get("/console/api/inbox")).json() == {"items": []}
        assert (await globex.get("/console/api/threads")).json() == {"threads": []}
        reply = await globex.get(f"/console/api/threads/{thread_id}")
        assert reply.status_code == 404 and _detail(reply) == f"thread {thread_id} not found"
        body = {"decider": "gus", "decisions": [{"id": item["id"], "type": "approve"}]}
        reply = await globex.post(f"/console/api/threads/{thread_id}/decisions", json=body)
        assert reply.status_code == 404
    assert await _pending(served_app) == item


@pytest.mark.parametrize(
    ("decision", "status", "says"),
    [
        ({"type": "edit", "args": {"amount": "-1"}}, 422, "greater than 0"),
        ({"type": "edit", "args": {"amount": "129.50"}}, 422, "refundable remainder"),
        ({"type": "edit", "args": {"to": "x"}}, 422, "to: Extra inputs are not permitted"),
        ({"type": "reject", "message": ""}, 422, "give a reason"),
        ({"type": "maybe"}, 422, "decisions.0.type"),
        ({"type": "approve", "id": "f" * 32}, 409, "is not pending"),
    ],
)
async def test_refused_decisions_say_why_and_decide_nothing(
    app: tuple[Served, str], decision: dict[str, Any], status: int, says: str
) -> None:
    served_app, thread_id = app
    item = await _pending(served_app)
    body = {"decider": "ann", "decisions": [{"id": item["id"], **decision}]}
    reply = await served_app.http.post(f"/console/api/threads/{thread_id}/decisions", json=body)
    assert reply.status_code == status and says in _detail(reply)
    assert await served_app.sdk.runs.list(thread_id) == [await _first_run(served_app, thread_id)]
    assert await _pending(served_app) == item


async def _first_run(served_app: Served, thread_id: str) -> dict[str, Any]:
    runs = await served_app.sdk.runs.list(thread_id)
    return dict(runs[-1])


async def test_threads_filter_by_status_and_request_words(app: tuple[Served, str]) -> None:
    served_app, thread_id = app
    get = served_app.http.get
    (row,) = (await get("/console/api/threads", params={"status": "waiting"})).json()["threads"]
    assert row["thread_id"] == thread_id and row["pending"] == 1
    assert (await get("/console/api/threads", params={"status": "done"})).json()["threads"] == []
    found = (await get("/console/api/threads", params={"q": "CHARGED twice 5531"})).json()
    assert [t["thread_id"] for t in found["threads"]] == [thread_id]
    assert (await get("/console/api/threads", params={"q": "5602"})).json()["threads"] == []
    reply = await get("/console/api/threads", params={"status": "sleeping"})
    assert reply.status_code == 422 and "status: one of" in _detail(reply)
    reply = await get("/console/api/threads", params={"q": "x" * 201})
    assert reply.status_code == 422 and _detail(reply).startswith("query.q:")


async def test_the_thread_view_has_plan_timelines_audit_and_studio(
    app: tuple[Served, str],
) -> None:
    served_app, thread_id = app
    view = (await served_app.http.get(f"/console/api/threads/{thread_id}")).json()
    assert view["status"] == "waiting"
    steps = {s["id"]: s for s in view["plan"]}
    assert steps["s4"]["status"] == "waiting" and set(steps["s4"]["depends_on"]) == {"s1", "s3"}
    calls = [e for t in view["timelines"] for e in t["events"] if e["kind"] == "model_call"]
    assert calls and all(c["tier"] in ("fast", "strong") and c["tokens"] > 0 for c in calls)
    assert [row["event"] for row in view["audit"]] == ["proposed"]
    assert view["effects"] == []
    assert view["studio_url"].startswith("https://smith.langchain.com/studio/thread/" + thread_id)
