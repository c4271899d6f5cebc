"""Tool faults: transient ones retry with backoff, permanent ones go back to the worker."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from graph_run import Run
from reliability_log import report

import tools.registry
from tools.spec import ToolRejected, ToolSpec, ToolTransientError

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."
QUESTION = "What is your refund policy for annual plans?"


def flaky(build: Callable[..., ToolSpec], failures: list[Exception]) -> Callable[..., ToolSpec]:
    """Wrap a tool builder so the tool raises ``failures`` in turn, then works."""

    def builder(world: Any) -> ToolSpec:
        spec = build(world)

        def run(args: Any, ctx: Any) -> Any:
            if failures:
                raise failures.pop(0)
            return spec.run(args, ctx)

        return dataclasses.replace(spec, run=run)

    return builder


def test_a_transient_read_fault_is_retried_and_the_run_finishes(
    make_run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[Exception] = [ToolTransientError("index busy")]
    monkeypatch.setattr(
        tools.registry, "build_kb_search", flaky(tools.registry.build_kb_search, failures)
    )
    run = make_run()
    out = run.start(QUESTION)
    assert out["status"] == "done"
    assert failures == []
    report("tool faults", faults={"transient tool error": 1}, checks=1)


def test_a_permanent_read_fault_goes_back_to_the_worker_as_a_tool_error(
    make_run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[Exception] = [ToolRejected("the index is closed for maintenance")]
    monkeypatch.setattr(
        tools.registry, "build_kb_search", flaky(tools.registry.build_kb_search, failures)
    )
    run = make_run()
    out = run.start(QUESTION)
    # The search never answered, so "the knowledge base has nothing" is not grounded.
    assert out["status"] == "unresolved"
    assert "cites no source" in out["error"]
    assert [e["data"]["tool"] for e in run.trace("tool_rejected")] == ["kb_search"]
    report("tool faults", faults={"permanent tool error": 1}, checks=1)


def test_a_transient_refund_fault_is_retried_through_the_ledger_and_pays_once(
    make_run: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[Exception] = [ToolTransientError("payments gateway timeout")]
    monkeypatch.setattr(
        tools.registry, "build_issue_refund", flaky(tools.registry.build_issue_refund, failures)
    )
    run = make_run()
    run.start(DOUBLE_CHARGE)
    run.resume({run.pending("issue_refund").id: {"type": "approve"}})
    assert failures == []
    assert len(run.refunds(5531)) == 1
    (refund,) = [e for e in run.effects() if e["tool"] == "issue_refund"]
    assert refund["status"] == "done"  # the retry went through the ledger under one key
    report("tool faults", faults={"transient refund error": 1}, checks=1)
