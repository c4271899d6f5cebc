"""The service on each checkpoint engine: SQLite under the home, and PostgreSQL."""

from __future__ import annotations

from served import served
from world_rows import world_rows

from graphs.settings import Settings
from persistence.audit import ApprovalAudit
from tools.world import World, world_database

DOUBLE = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
POLICY = "How long does a refund for a duplicate charge take to reach the customer?"


async def test_the_approval_flow_and_a_rollback_on_either_engine(engine_settings: Settings) -> None:
    async with served(engine_settings) as app:
        tid = (await app.sdk.threads.create())["thread_id"]
        result = await app.sdk.runs.wait(tid, "baton", input={"request": DOUBLE})
        (refund,) = result["__interrupt__"]
        result = await app.sdk.runs.wait(tid, "baton", command={"resume": {"type": "approve"}})
        (email,) = result["__interrupt__"]
        assert email["value"]["name"] == "send_email" and refund["id"] != email["id"]
        # rollback undoes the resume run that left the email waiting; the refund stays done
        undone = await app.sdk.runs.wait(
            tid, "baton", input={"request": POLICY}, multitask_strategy="rollback"
        )
        assert undone["status"] == "done"
        assert len(await app.sdk.runs.list(tid)) == 2
        history = await app.sdk.threads.get_history(tid, limit=100)
        assert history and all(h["metadata"].get("run_id") for h in history[:-1])
    world = World(engine_settings.home, database=world_database(engine_settings.database))
    assert world_rows(world, "SELECT amount_cents FROM refunds WHERE order_id = 5531") == [(12900,)]
    audit = ApprovalAudit(engine_settings.db_path, database=engine_settings.database)
    events = [row["event"] for row in audit.rows(tid)]  # in PostgreSQL when it is selected
    # the refund ran once; undoing its run put its approval back, and the new turn let it go
    assert events.count("executed") == 1 and events[-1] == "abandoned"
