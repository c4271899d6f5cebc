"""The orchestrator end to end: routes, the refund flow, resuming, extending with a worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fakes import RecordingMeter, Turn, scripted_tiers, tool_call
from graph_run import Run

from agents.errors import StepFailed
from agents.planner import make_plan
from agents.workers import WorkerSpec, register, unregister
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings
from state.views import plan_of, results_of, route_of

DOUBLE_CHARGE = "I was billed two times for order 5602"


def test_double_charge_pauses_for_the_refund_with_a_tool_approval_request(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    out = run.start(DOUBLE_CHARGE)
    assert "status" not in out or out["status"] == "running"
    pending = run.pending()
    value = pending.value
    assert value["type"] == "tool_approval"
    assert value["name"] == "issue_refund"
    assert value["args"] == {
        "order_id": 5602,
        "customer_id": 1077,
        "amount": "49.00",
        "currency": "EUR",
        "reason": "duplicate charge",
        "charge_id": "ch_5602_2",
    }
    # The approver sees the charge as it stands: what is left to refund on it.
    assert value["live"] == {
        "fact": "refund of charge ch_5602_2",
        "charge_id": "ch_5602_2",
        "charge": "49.00 EUR",
        "refunded": "0.00 EUR",
        "refundable": "49.00 EUR",
        "refunds": [],
    }
    assert value["tool_call_id"].startswith("call_")
    assert "5602" in value["description"]
    assert len(value["args_hash"]) == 16
    assert value["worker"] == "operator"
    assert value["step"] in {s.id for s in plan_of(run.values)}
    assert run.refunds(5602) == []  # nothing happens before the decision


def test_approving_everything_refunds_once_and_emails_once(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5602) == [(4900, "EUR")]
    (email,) = run.outbox()
    assert "To: marco.ruiz@example.com" in email
    assert "49.00 EUR" in email
    assert "Refunded 49.00 EUR on order 5602" in out["final_answer"]
    kinds = {e["kind"] for e in run.trace()}
    assert {
        "route",
        "plan",
        "model_call",
        "tool_call",
        "review_verdict",
        "approval",
        "effect",
    } <= kinds


def test_a_resumed_run_never_repeats_completed_model_calls(make_run: Callable[..., Run]) -> None:
    run = make_run({})  # every role logged, answered by the offline stand-in
    run.start(DOUBLE_CHARGE)
    before = run.log
    assert before.count("analyst") >= 2 and before.count("writer") >= 2
    assert before.count("operator") == 1
    first_calls = {(t.key, t.fingerprint) for t in before.turns}

    # A new process: new graph, new checkpointer connection, new model objects.
    after = run.reopen()
    out = run.approve_all()
    assert out["status"] == "done"
    counts = after.counts()
    for finished in ("Route", "analyst", "researcher", "writer"):
        assert counts[finished] == 0, counts
    assert counts["operator"] >= 1  # it continues after the decision...
    assert not first_calls & {(t.key, t.fingerprint) for t in after.turns}  # ...never redoes
    assert before.repeated() == [] and after.repeated() == []
    assert run.refunds(5602) == [(4900, "EUR")]


def test_a_crashed_run_continues_from_its_last_checkpoint(make_run: Callable[..., Run]) -> None:
    def crash(turn: Turn) -> Any:
        raise RuntimeError("the process died")

    run = make_run({"writer": crash})
    with pytest.raises(RuntimeError, match="the process died"):
        run.start(DOUBLE_CHARGE)
    first = run.log.counts()
    assert first["analyst"] >= 2 and first["researcher"] >= 2

    after = run.reopen({})  # a new process with a working writer
    run.continue_after_crash()
    assert run.pending().value["name"] == "issue_refund"
    counts = after.counts()
    assert counts["writer"] >= 1
    for finished in ("Route", "Plan", "analyst", "researcher"):
        assert counts[finished] == 0, counts
    assert run.approve_all()["status"] == "done"
    assert run.refunds(5602) == [(4900, "EUR")]


def test_the_answer_route_answers_from_the_researchers_findings_with_citations(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    out = run.start("what is your refund policy for annual plans?")
    assert out["status"] == "done"
    assert route_of(run.values).route == "answer"
    assert "Annual plans can be refunded in full within 30 days" in out["final_answer"]
    assert "refund-policy#Annual plans" in out["final_answer"]
    assert results_of(out)["answer"].citations
    assert run.interrupts == []
    # No planner: one researcher step, then the synthesizer writes (and streams) the answer.
    assert run.log.counts() == {"Route": 1, "researcher": 2, "synthesizer": 1}


def test_recursion_limit_and_concurrency_are_always_set(settings: Settings) -> None:
    graph = build_orchestrator(settings=settings.model_copy(update={"recursion_limit": 37}))
    assert graph.config is not None
    assert graph.config["recursion_limit"] == 37
    assert graph.config["max_concurrency"] == settings.max_concurrency


def test_a_failed_triage_ends_the_run_cleanly(make_run: Callable[..., Run]) -> None:
    run = make_run({"Route": lambda t: "no idea"})
    out = run.start("hello")
    assert out["status"] == "failed"
    assert "no valid Route" in out["error"]
    assert "Run ended (failed)" in out["final_answer"]


@pytest.mark.parametrize(("retries", "calls"), [(0, 2), (1, 4)])
def test_the_structured_retries_setting_bounds_the_attempts(
    make_run: Callable[..., Run], retries: int, calls: int
) -> None:
    run = make_run({"Route": lambda t: "no idea"}, structured_retries=retries)
    out = run.start("hello")
    assert out["status"] == "failed"
    assert run.log.count("Route") == calls  # (1 + retries) on fast, then as many on strong
    assert [t.tier for t in run.log.turns] == ["fast"] * (calls // 2) + ["strong"] * (calls // 2)


def test_a_planner_that_never_plans_validly_fails_with_the_reason(
    make_run: Callable[..., Run],
) -> None:
    cyclic = {
        "rationale": "loop",
        "steps": [
            {"id": "s1", "worker": "analyst", "instruction": "a", "depends_on": ["s2"]},
            {"id": "s2", "worker": "writer", "instruction": "b", "depends_on": ["s1"]},
        ],
    }
    run = make_run({"Plan": lambda t: cyclic}, structured_retries=1)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "failed"
    assert "no valid Plan after retries and escalation" in out["error"]
    assert "dependency cycle: s1 -> s2 -> s1" in out["error"]
    assert run.log.count("analyst") == 0
    # Every retry was told why the previous plan was refused.
    retries = [t for t in run.log.turns if t.key == "Plan"][1:]
    assert all(any("dependency cycle" in x for x in t.later_texts) for t in retries)


# --- adding a fifth worker is registering a spec, with no graph edit ---------------------

AUDITOR = WorkerSpec(
    name="auditor",
    description="Checks a request against the refund policy and reports any violation.",
    prompt="You are the auditor. Search the policy, then report.",
    tools=("kb_search",),
    tier="fast",
    max_tool_calls=2,
)


@pytest.fixture
def auditor() -> Iterator[WorkerSpec]:
    register(AUDITOR)
    yield AUDITOR
    unregister("auditor")


def audit_plan(turn: Turn) -> dict[str, Any]:
    if "### " in turn.task:
        return {"rationale": "audited", "done": True}
    return {
        "rationale": "An audit is all that is needed.",
        "steps": [{"id": "a1", "worker": "auditor", "instruction": "Audit duplicate charges."}],
    }


def audit(turn: Turn) -> Any:
    if not turn.tool_results:
        return tool_call("kb_search", {"query": "duplicate charge refund", "k": 2}, "search")
    return "Audit: duplicate charges must be refunded in full (refund-policy#Duplicate charges)."


def test_a_registered_worker_is_offered_to_the_planner(auditor: WorkerSpec) -> None:
    tiers, log = scripted_tiers({"Plan": audit_plan})
    meter = RecordingMeter()
    plan = make_plan(tiers, "audit this", [], {}, 1, 3, 8, meter)
    assert [s.worker for s in plan.steps] == ["auditor"]
    assert meter.kinds("validation_failure") == []
    assert "auditor: Checks a request against the refund policy" in log.turns[0].task


def test_an_unregistered_worker_is_refused_by_the_planner() -> None:
    tiers, _ = scripted_tiers({"Plan": audit_plan})
    meter = RecordingMeter()
    with pytest.raises(StepFailed, match=r"unknown worker\(s\) \['auditor'\]"):
        make_plan(tiers, "audit this", [], {}, 1, 3, 8, meter)


def test_a_registered_worker_becomes_a_node_and_runs(
    auditor: WorkerSpec, make_run: Callable[..., Run]
) -> None:
    route = {"Route": lambda t: {"route": "orchestrate", "reason": "audit"}}
    run = make_run({**route, "Plan": audit_plan, "auditor": audit})
    assert "auditor" in run.graph.get_graph().nodes
    out = run.start("Audit the duplicate charge handling.")
    assert out["status"] == "done"
    result = results_of(out)["a1"]
    assert result.worker == "auditor" and result.status == "ok"
    assert result.output.startswith("Audit: duplicate charges must be refunded")
    assert "refund-policy#Duplicate charges" in result.citations
    assert run.log.count("auditor") == 2
