"""The durable checkpointer: Baton's SQLite file, its pragmas, typed state across processes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing

from graph_run import Run

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from graphs.settings import Settings
from state.results import WorkerResult
from state.route import Route
from state.views import results_of, route_of


def test_the_saver_uses_wal_full_sync_and_a_busy_timeout(settings: Settings) -> None:
    saver = open_checkpointer(settings.db_path)
    with closing(saver.conn) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert settings.db_path.exists()


async def test_the_async_saver_has_the_same_pragmas(settings: Settings) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        thread_conn, loop_conn = saver.connections
        for pragma, expected in (("journal_mode", "wal"), ("synchronous", 2)):
            query = f"PRAGMA {pragma}"
            assert await saver.run(lambda s, q=query: s.conn.execute(q).fetchone()[0]) == expected
            assert loop_conn.execute(query).fetchone()[0] == expected
        # the thread waits for a lock; the event loop's connection never does
        assert thread_conn is saver.sync.conn
        assert await saver.run(lambda s: s.conn.execute("PRAGMA busy_timeout").fetchone()[0]) > 0
        assert loop_conn.execute("PRAGMA busy_timeout").fetchone()[0] == 0


def test_a_thread_reloads_with_its_typed_state_in_a_new_process(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start("what is your refund policy for annual plans?")
    run.reopen()
    values = run.values
    assert isinstance(route_of(values), Route)
    assert all(isinstance(r, WorkerResult) for r in results_of(values).values())
    assert values["status"] == "done"
    assert "refund-policy#Annual plans" in values["final_answer"]


def test_threads_do_not_see_each_others_state(make_run: Callable[..., Run]) -> None:
    answer = make_run(thread="question")
    answer.start("what is your refund policy for annual plans?")
    ticket = make_run(thread="bug")
    ticket.start("the dashboard shows a blank page")
    assert route_of(answer.values).route == "answer" and answer.values.get("ticket_id") is None
    assert route_of(ticket.values).route == "ticket" and not ticket.values.get("results")
