"""Resumes are checked like the CLI checks them; state updates stay at the top level."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from served import Served, served

from graphs.settings import Settings

DOUBLE = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."


async def _waiting(app: Served) -> tuple[str, dict[str, Any]]:
    tid = str((await app.sdk.threads.create())["thread_id"])
    await app.sdk.runs.wait(tid, "baton", input={"request": DOUBLE})
    (pending,) = (await app.sdk.threads.get_state(tid))["interrupts"]
    return tid, pending


async def _refused(app: Served, tid: str, resume: Any) -> httpx.Response:
    body = {"assistant_id": "baton", "command": {"resume": resume}}
    reply = await app.http.post(f"/threads/{tid}/runs/wait", json=body)
    assert reply.status_code in (409, 422), reply.text
    return reply


@pytest.mark.parametrize(
    ("decision", "says"),
    [
        ({"type": "maybe"}, "not a decision"),
        ({"type": "approve", "args_hash": "0000000000000000"}, "different arguments"),
        (
            {"type": "edit", "edited_action": {"name": "send_email", "args": {}}},
            "cannot change the tool",
        ),
        (
            {"type": "edit", "edited_action": {"name": "issue_refund", "args": {"amount": "lots"}}},
            "edited arguments invalid",
        ),
    ],
)
async def test_a_bad_decision_is_refused_and_the_approval_still_waits(
    settings: Settings, decision: dict[str, Any], says: str
) -> None:
    async with served(settings) as app:
        tid, pending = await _waiting(app)
        reply = await _refused(app, tid, {pending["id"]: decision})
        assert reply.status_code == 422 and says in reply.json()["detail"]
        assert (await app.sdk.threads.get_state(tid))["interrupts"] == [pending]
        assert len(await app.sdk.runs.list(tid)) == 1


async def test_unknown_and_already_answered_approvals(settings: Settings) -> None:
    async with served(settings) as app:
        tid, pending = await _waiting(app)
        reply = await _refused(app, tid, {"0" * 32: {"type": "approve"}})
        assert reply.status_code == 422 and pending["id"] in reply.json()["detail"]
        # One approval pending: the decision alone is enough, and it is bound to its id.
        result = await app.sdk.runs.wait(tid, "baton", command={"resume": {"type": "approve"}})
        (email,) = result["__interrupt__"]
        reply = await _refused(app, tid, {pending["id"]: {"type": "approve"}})
        assert reply.status_code == 409 and "already answered" in reply.json()["detail"]
        runs = await app.sdk.runs.list(tid)
        resume = runs[0]["kwargs"]["command"]["resume"][pending["id"]]
        assert resume["args_hash"] == pending["value"]["args_hash"]
        assert resume["decider"] == "API client (tenant acme, baton serve)"
        edit = {
            "type": "edit",
            "edited_action": {"name": "send_email", "args": {**email["value"]["args"]}},
            "decider": "Dana at the help desk",
        }
        final = await app.sdk.runs.wait(tid, "baton", command={"resume": {email["id"]: edit}})
        assert final["status"] == "done"


async def test_a_thread_that_waits_for_nothing_cannot_be_resumed(settings: Settings) -> None:
    async with served(settings) as app:
        tid = str((await app.sdk.threads.create())["thread_id"])
        reply = await _refused(app, tid, {"type": "approve"})
        assert reply.status_code == 409 and "not waiting for an approval" in reply.json()["detail"]


async def test_state_updates_are_checked_and_reach_only_the_top_level(settings: Settings) -> None:
    async with served(settings) as app:
        tid, _pending = await _waiting(app)
        base = f"/threads/{tid}/state"
        for body, says in (
            ({"values": {"decisions": {}}}, "values.decisions"),
            ({"values": {"final_answer": "x"}, "as_node": "nobody"}, "as_node"),
            ({"values": {}, "checkpoint": {"checkpoint_ns": "operator:1"}}, "top-level"),
        ):
            reply = await app.http.post(base, json=body)
            assert reply.status_code == 422 and says in reply.json()["detail"], reply.text
        saved = await app.sdk.threads.update_state(tid, {"history": "noted"}, as_node="start_turn")
        assert saved["checkpoint"]["thread_id"] == tid
        assert (await app.sdk.threads.get_state(tid))["values"]["history"] == "noted"
        history = await app.sdk.threads.get_history(tid, limit=2)
        assert [h["metadata"]["source"] for h in history] == ["update", "loop"]
        older = (await app.http.get(f"/threads/{tid}/history", params={"limit": 3})).json()
        assert [h["checkpoint"] for h in older[:2]] == [h["checkpoint"] for h in history]
