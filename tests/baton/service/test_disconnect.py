"""``on_disconnect``: a client that leaves a stream cancels its run only if it asked to.

Driven at the ASGI level, so the disconnect arrives exactly after the first event.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from served import ACME, served

from bench.stubs import latency_tiers
from graphs.settings import Settings

POLICY = "How long does a refund for a duplicate charge take to reach the customer?"


async def _stream_then_leave(app: Any, path: str, body: dict[str, Any]) -> str:
    """POST ``body`` to ``path``, read the first event, hang up; the run id."""
    payload = json.dumps(body).encode()
    first_event = asyncio.Event()
    chunks: list[bytes] = []
    sent_body = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await first_event.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and b"event: metadata" in message.get(
            "body", b""
        ):
            chunks.append(message["body"])
            first_event.set()

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"x-api-key", ACME.encode())],
        "client": ("127.0.0.1", 1),
        "server": ("baton", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=30)
    data = chunks[0].split(b"data: ", 1)[1].split(b"\r\n", 1)[0]
    return str(json.loads(data)["run_id"])


@pytest.mark.parametrize(("mode", "status"), [("cancel", "interrupted"), ("continue", "success")])
async def test_leaving_a_stream(settings: Settings, mode: str, status: str) -> None:
    async with served(settings, tiers=latency_tiers(0.3)) as app:
        tid = (await app.sdk.threads.create())["thread_id"]
        body = {"assistant_id": "baton", "input": {"request": POLICY}, "on_disconnect": mode}
        run_id = await _stream_then_leave(app.app, f"/threads/{tid}/runs/stream", body)
        await app.sdk.runs.join(tid, run_id)
        run = await app.sdk.runs.get(tid, run_id)
        assert run["status"] == status
        if mode == "cancel":
            assert "disconnected" in run["cancel_reason"]
