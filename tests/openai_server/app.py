"""The server's HTTP side: ``/v1/chat/completions`` (plain and streamed) and admin routes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from openai_server.rules import Refused, check, tools_usable
from openai_server.script import Script


def create_app(script: Script) -> FastAPI:
    """The app answering from ``script`` and logging into it."""
    app = FastAPI()

    @app.get("/v1/models")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "scripted", "object": "model"}]}

    @app.post("/admin/replies")
    async def add_replies(request: Request) -> dict[str, int]:
        script.add(list(await request.json()))
        return {"queued": len(script.replies)}

    @app.get("/admin/requests")
    def requests() -> list[dict[str, Any]]:
        return list(script.log)

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except json.JSONDecodeError:
            return _error(script, {}, 400, "body is not JSON")
        try:
            check(body)
        except Refused as refused:
            return _error(script, body, refused.status, refused.message)
        reply = script.take(body)
        if reply is None:
            return _error(script, body, 500, "no scripted reply matches this request")
        if "status" in reply:
            return _error(script, body, int(reply["status"]), str(reply.get("message", "")))
        usable = tools_usable(body)
        calls = [_call(c) for c in reply.get("tool_calls", [])] if usable else []
        content = str(reply.get("content", ""))
        script.record(
            {
                "body": body,
                "status": 200,
                "tools_ignored": bool(reply.get("tool_calls")) and not usable,
            }
        )
        usage = _usage(body, content, calls)
        if body.get("stream"):
            chunks = _chunks(body, content, calls, usage)
            return StreamingResponse(chunks, media_type="text/event-stream")
        message: dict[str, Any] = {"role": "assistant", "content": content or None}
        if calls:
            message["tool_calls"] = calls
        choice = {"index": 0, "message": message, "finish_reason": _finish(calls)}
        return JSONResponse({**_head(body, "chat.completion"), "choices": [choice], "usage": usage})

    return app


def _error(script: Script, body: dict[str, Any], status: int, message: str) -> JSONResponse:
    script.record({"body": body, "status": status, "error": message})
    payload = {"error": {"code": status, "message": message, "type": "server_error"}}
    return JSONResponse(payload, status_code=status)


def _call(call: dict[str, Any]) -> dict[str, Any]:
    arguments = call.get("arguments", {})
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "id": str(call["id"]),
        "type": "function",
        "function": {"name": call["name"], "arguments": text},
    }


def _finish(calls: list[dict[str, Any]]) -> str:
    return "tool_calls" if calls else "stop"


def _head(body: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": kind,
        "created": int(time.time()),
        "model": str(body.get("model", "scripted")),
    }


def _usage(body: dict[str, Any], content: str, calls: list[dict[str, Any]]) -> dict[str, int]:
    prompt = len(json.dumps(body.get("messages", []))) // 4 + 1
    completion = (len(content) + len(json.dumps(calls))) // 4 + 1
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _chunks(
    body: dict[str, Any], content: str, calls: list[dict[str, Any]], usage: dict[str, int]
) -> Iterator[str]:
    head = _head(body, "chat.completion.chunk")

    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        return f"data: {json.dumps({**head, 'choices': choices, **extra})}\n\n"

    yield event([{"index": 0, "delta": {"role": "assistant", "content": content}}])
    for index, call in enumerate(calls):
        delta = {"tool_calls": [{"index": index, **call}]}
        yield event([{"index": 0, "delta": delta}])
    yield event([{"index": 0, "delta": {}, "finish_reason": _finish(calls)}])
    if (body.get("stream_options") or {}).get("include_usage"):
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"
