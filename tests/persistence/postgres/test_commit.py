"""Commit rounds on PostgreSQL: one pipelined transaction, all of it or none of it."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from psycopg.pq import TransactionStatus

from persistence.database import PostgresDatabase
from persistence.lease_store import lease_store
from persistence.leases import Fence, FencedOut, current_fence
from persistence.postgres.commit import AsyncGroupCommit, GroupCommit
from persistence.postgres.pool import open_async_pool, open_pool
from persistence.postgres.rows import Statement

_INSERT = "INSERT INTO commit_probe (k) VALUES (%s)"


def _keys(url: str) -> list[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS commit_probe (k INTEGER PRIMARY KEY)")
        return [row[0] for row in conn.execute("SELECT k FROM commit_probe ORDER BY k")]


def _failing(*keys: int) -> list[Statement]:
    """Rows that would land, then a statement the server refuses (a duplicate key)."""
    return [(_INSERT, [(k,) for k in keys]), (_INSERT, [(keys[0],)])]


def _claim(url: str, thread_id: str) -> Fence:
    return lease_store(PostgresDatabase(url)).claim(thread_id, "me", "h", 1, 60, lambda h, p: True)


def _lease_row_is_free(url: str, thread_id: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(
                "SELECT 1 FROM thread_leases WHERE thread_id = %s FOR UPDATE NOWAIT",
                (thread_id,),
            )
        except psycopg.errors.LockNotAvailable:
            return False
    return True


def test_a_failed_round_stores_none_of_its_rows(postgres_url: str) -> None:
    _keys(postgres_url)
    pool = open_pool(PostgresDatabase(postgres_url, min_size=1, max_size=1))
    group = GroupCommit(pool)
    with pytest.raises(psycopg.errors.UniqueViolation):
        group.commit(_failing(1, 2, 3))
    group.commit([(_INSERT, [(4,)])])  # the same connection, usable again
    with pool.connection() as conn:
        assert conn.info.transaction_status == TransactionStatus.IDLE
    pool.close()
    assert _keys(postgres_url) == [4]


async def test_a_failed_fenced_round_is_rolled_back_and_frees_the_lease_row(
    postgres_url: str,
) -> None:
    _keys(postgres_url)
    fence = _claim(postgres_url, "t")
    pool = await open_async_pool(PostgresDatabase(postgres_url, min_size=1, max_size=1))
    group = AsyncGroupCommit(pool)
    token = current_fence.set(fence)
    try:
        with pytest.raises(psycopg.errors.UniqueViolation):
            await group.commit(_failing(1, 2, 3, 4, 5))
        async with pool.connection() as conn:
            assert conn.info.transaction_status == TransactionStatus.IDLE
        assert _lease_row_is_free(postgres_url, "t")
        await group.commit([(_INSERT, [(6,)])])
    finally:
        current_fence.reset(token)
        await pool.close()
    assert _keys(postgres_url) == [6]


async def test_a_round_lands_the_rows_of_held_fences_beside_a_refused_one(
    postgres_url: str,
) -> None:
    _keys(postgres_url)
    held = _claim(postgres_url, "held")
    never_claimed = Fence(thread_id="gone", holder="me", token=1, engine="postgres")
    pool = await open_async_pool(PostgresDatabase(postgres_url))
    group = AsyncGroupCommit(pool)

    async def under(fence: Fence | None, keys: list[int]) -> None:
        token = current_fence.set(fence)
        try:
            await group.commit([(_INSERT, [(k,) for k in keys])])
        finally:
            current_fence.reset(token)

    outcomes = await asyncio.gather(
        under(held, [1, 2]),
        under(never_claimed, [3]),
        under(None, [4, 5, 6, 7, 8]),
        return_exceptions=True,
    )
    await pool.close()
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], FencedOut)
    assert group.rounds == 1  # all three in one transaction
    assert _keys(postgres_url) == [1, 2, 4, 5, 6, 7, 8]
