"""Embedding in a chat backend: ``astream`` with an async SQLite saver and ``Command``."""

from __future__ import annotations

import sqlite3
from typing import Any

from langgraph.types import Command

from graphs import build_orchestrator
from graphs.checkpointer import open_async_checkpointer
from graphs.settings import Settings

REQUEST = "Order 5602 for customer 1077 was billed twice, please refund it."


async def test_chat_backend_streams_pauses_and_resumes_by_thread(settings: Settings) -> None:
    config: Any = {"configurable": {"thread_id": "chat-1"}}
    seen_nodes: set[str] = set()
    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        async for mode, chunk in graph.astream(
            {"request": REQUEST}, config, stream_mode=["updates", "messages"]
        ):
            if mode == "updates":
                seen_nodes.update(chunk)
        state = await graph.aget_state(config)
        assert [i.value["name"] for i in state.interrupts] == ["issue_refund"]

    # A new backend process (new saver, new graph) answers the approvals by thread id.
    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        state = await graph.aget_state(config)
        while state.interrupts:
            decisions = {i.id: {"type": "approve"} for i in state.interrupts}
            async for _ in graph.astream(Command(resume=decisions), config):
                pass
            state = await graph.aget_state(config)
    assert {"triage", "plan", "analyst", "researcher", "writer"} <= seen_nodes
    assert state.values["status"] == "done"
    with sqlite3.connect(settings.home / "world.db") as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM refunds WHERE order_id = 5602").fetchone()
    assert count == 1


async def test_a_chat_turn_with_a_run_id_is_undone_by_the_async_saver(settings: Settings) -> None:
    def turn(run_id: str) -> Any:
        return {"configurable": {"thread_id": "chat-2"}, "metadata": {"run_id": run_id}}

    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        async for _ in graph.astream({"request": REQUEST}, turn("turn-1")):
            pass
        asked = (await graph.aget_state(turn("turn-1"))).interrupts
        assert [i.value["name"] for i in asked] == ["issue_refund"]
        decisions = {i.id: {"type": "approve"} for i in asked}
        async for _ in graph.astream(Command(resume=decisions), turn("turn-2")):
            pass
        after = (await graph.aget_state(turn("turn-2"))).interrupts
        assert [i.value["name"] for i in after] == ["send_email"]

        await saver.adelete_for_runs(["turn-2"])
        back = (await graph.aget_state(turn("turn-1"))).interrupts
        assert [(i.id, i.value["name"]) for i in back] == [(i.id, "issue_refund") for i in asked]
