"""The ticket chain: extract, summarize, file; one ticket per run, however often it reruns."""

from __future__ import annotations

from collections.abc import Callable

from graph_run import Run

BUG = "The dashboard shows a blank page after I click Reports. Customer 1042."


def test_a_problem_report_is_filed_as_one_ticket(make_run: Callable[..., Run]) -> None:
    run = make_run()
    out = run.start(BUG)
    assert out["status"] == "done"
    (ticket,) = run.world_rows("SELECT id, product, severity, customer_id, title FROM tickets")
    ticket_id, product, severity, customer, title = ticket
    assert out["ticket_id"] == ticket_id
    assert (product, customer) == ("dashboard", 1042)
    assert severity in {"low", "medium", "high", "critical"}
    assert out["final_answer"].startswith(f"Filed ticket #{ticket_id}: {title}")
    assert run.log.counts() == {"Route": 1, "TicketFields": 1, "TicketSummary": 1}


def test_rerunning_the_file_ticket_step_files_no_second_ticket(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    first = run.start(BUG)
    history = list(run.graph.get_state_history(run.config))
    before_filing = next(s for s in history if s.next == ("file_ticket",))
    # Replay from the checkpoint before the node: it runs again in the same thread.
    again = run.graph.invoke(None, before_filing.config, durability="sync")
    assert again["ticket_id"] == first["ticket_id"]
    assert run.world_rows("SELECT COUNT(*) FROM tickets") == [(1,)]
    assert len(run.trace("tool_call")) == 2  # it did run twice


def test_each_thread_files_its_own_ticket(make_run: Callable[..., Run]) -> None:
    one = make_run(thread="a").start(BUG)
    two = make_run(thread="b").start(BUG)
    assert one["ticket_id"] != two["ticket_id"]


def test_a_customer_id_the_db_lacks_files_the_ticket_without_it(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    out = run.start("The export button is broken for customer 9999.")
    assert out["status"] == "done"
    assert run.world_rows("SELECT product, customer_id FROM tickets") == [("export", None)]
    assert [e["data"]["error"] for e in run.trace("tool_rejected")] == [
        "customer 9999 does not exist"
    ]
