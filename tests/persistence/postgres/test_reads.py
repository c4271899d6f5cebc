"""Batched lookups on PostgreSQL: queries that arrive together share one pipeline."""

from __future__ import annotations

import asyncio

import psycopg
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint

from graphs.checkpointer import open_async_checkpointer
from persistence.database import PostgresDatabase
from persistence.postgres.pool import open_async_pool
from persistence.postgres.reads import AsyncReadBatch


async def test_lookups_made_together_share_batches_and_each_gets_its_own_row(
    postgres_url: str,
) -> None:
    pool = await open_async_pool(PostgresDatabase(postgres_url))
    reads = AsyncReadBatch(pool)
    rows = await asyncio.gather(
        *(reads.fetchone("SELECT %s::int * 2 AS twice", (n,)) for n in range(60))
    )
    await pool.close()
    assert [row["twice"] if row else None for row in rows] == [n * 2 for n in range(60)]
    assert reads.batches == 1


async def test_a_refused_query_fails_alone(postgres_url: str) -> None:
    pool = await open_async_pool(PostgresDatabase(postgres_url))
    reads = AsyncReadBatch(pool)
    good = reads.fetchone("SELECT 1 AS one", ())
    bad = reads.fetchone("SELECT * FROM no_such_table", ())
    empty = reads.fetchone("SELECT 1 AS one WHERE false", ())
    outcomes = await asyncio.gather(good, bad, empty, return_exceptions=True)
    await pool.close()
    assert outcomes[0] == {"one": 1}
    assert isinstance(outcomes[1], psycopg.errors.UndefinedTable)
    assert outcomes[2] is None


async def test_the_saver_reads_back_what_concurrent_threads_wrote(postgres_url: str) -> None:
    async with open_async_checkpointer(PostgresDatabase(postgres_url)) as saver:
        stored: dict[str, RunnableConfig] = {}
        for n in range(20):
            config: RunnableConfig = {"configurable": {"thread_id": f"t{n}", "checkpoint_ns": ""}}
            checkpoint = empty_checkpoint()
            checkpoint["channel_values"] = {"n": n}
            saved = await saver.aput(config, checkpoint, {"step": n}, {})
            await saver.aput_writes(saved, [("n", n + 100)], "task")
            stored[f"t{n}"] = saved
        found = await asyncio.gather(
            *(saver.aget_tuple({"configurable": {"thread_id": f"t{n}"}}) for n in range(25)),
            *(saver.aget_tuple(stored[f"t{n}"]) for n in range(20)),
        )
    latest, by_id = found[:25], found[25:]
    for n in range(20):
        for item in (latest[n], by_id[n]):
            assert item is not None
            assert item.checkpoint["channel_values"] == {"n": n}
            assert item.metadata["step"] == n
            assert item.pending_writes == [("task", "n", n + 100)]
    assert latest[20:] == [None] * 5
