"""Every stream mode a client may ask for arrives as LangGraph's server names it."""

from __future__ import annotations

from served import served

from graphs.settings import Settings

POLICY = "How long does a refund for a duplicate charge take to reach the customer?"
MODES = [
    "values",
    "updates",
    "messages-tuple",
    "messages",
    "custom",
    "debug",
    "tasks",
    "checkpoints",
]


async def test_every_mode_with_subgraphs(settings: Settings) -> None:
    async with served(settings) as app:
        tid = (await app.sdk.threads.create())["thread_id"]
        parts = [
            p
            async for p in app.sdk.runs.stream(
                tid, "baton", input={"request": POLICY}, stream_mode=MODES, stream_subgraphs=True
            )
        ]
    names = [p.event for p in parts]
    assert names[0] == "metadata" and names[-1] == "end"
    bases = {name.split("|")[0] for name in names}
    assert {"values", "updates", "messages", "custom", "debug", "tasks", "checkpoints"} <= bases
    assert {"messages/metadata", "messages/partial", "messages/complete"} <= bases
    assert any(name.startswith("updates|researcher:") for name in names)
    ids = [int(p.id) for p in parts]
    assert ids == list(range(1, len(parts) + 1))
    final = [p.data for p in parts if p.event == "values"][-1]
    assert final["status"] == "done"
