"""Garbage from the model, in any order and amount: every run ends cleanly and resumably."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from faulty_model import FAULTS, faulty_tiers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langgraph.types import Command
from reliability_log import report

from agents.errors import ModelUnavailable
from graphs.checkpointer import open_checkpointer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from tools.world import World

REQUESTS = (
    "Order 5531 for customer 1042 was charged twice, please refund it.",
    "Bug report from customer 1077: the mobile app crashes when I tap Export.",
    "How long does a refund for a duplicate charge take to reach the customer?",
)
EXAMPLES = int(os.environ.get("RELIABILITY_GARBAGE_EXAMPLES", "20"))
injected: Counter[str] = Counter()
outcomes: Counter[str] = Counter()


def run_with_faults(home: Path, request: str, faults: list[str]) -> dict[str, Any]:
    """Run ``request`` to its end, approving everything, with ``faults`` injected."""
    config: Any = {"configurable": {"thread_id": "garbage"}}
    tiers, script = faulty_tiers(faults)
    World(home).init()
    saver = open_checkpointer(home / "baton.db")
    try:
        graph = build_orchestrator(
            checkpointer=saver, settings=Settings(home=home, _env_file=None), tiers=tiers
        )
        out = resumed(graph, {"request": request}, config)
        for _ in range(6):
            pending = graph.get_state(config).interrupts
            if not pending:
                break
            decisions = {i.id: {"type": "approve"} for i in pending}
            out = resumed(graph, Command(resume=decisions), config)
        state = graph.get_state(config)  # the thread is still readable
        assert not state.next and not state.interrupts
        assert graph.invoke(None, config, durability="sync") is not None  # and resumable
    finally:
        saver.conn.close()
    injected.update(script.injected)
    return dict(out)


def resumed(graph: Any, stream_input: Any, config: Any) -> dict[str, Any]:
    """Invoke; a model server that could not be used stops the run, resuming goes on."""
    for _ in range(12):
        try:
            return dict(graph.invoke(stream_input, config, durability="sync"))
        except ModelUnavailable:
            outcomes["stopped_and_resumed"] += 1
            assert graph.get_state(config).next  # stopped at its last checkpoint
            stream_input = None
    raise AssertionError("still stopping after 12 resumes")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(
    request=st.sampled_from(REQUESTS),
    faults=st.lists(st.sampled_from(FAULTS), max_size=10),
)
def test_any_garbage_ends_the_run_cleanly_with_the_reason_in_state(
    request: str, faults: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = run_with_faults(Path(tmp) / "home", request, faults)
    assert out["status"] in ("done", "failed", "budget_exhausted")
    assert out["final_answer"]
    if out["status"] != "done":
        assert out["error"], out
    outcomes[out["status"]] += 1


def test_every_fault_kind_alone_is_handled() -> None:
    for fault in FAULTS:
        with tempfile.TemporaryDirectory() as tmp:
            out = run_with_faults(Path(tmp) / "home", REQUESTS[0], [fault] * 3)
        assert out["status"] in ("done", "failed", "budget_exhausted"), fault
        outcomes[out["status"]] += 1
    report("model garbage", faults=dict(injected), checks=sum(outcomes.values()))
