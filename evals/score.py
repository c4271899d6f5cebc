"""Score observed runs against their labels: one verdict per stage, and the run's costs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from evals.cases import Case
from evals.runner import Observed

STAGES = ("route", "plan", "tool_args", "outcome")


@dataclass
class Scored:
    """A case's verdicts: stage -> True/False (a stage the case does not label is absent)."""

    case_id: str
    verdicts: dict[str, bool]
    why: dict[str, str] = field(default_factory=dict)


def _kinds(observed: Observed, kind: str) -> list[dict[str, Any]]:
    return [e["data"] for e in observed.trace if e["kind"] == kind]


def _first_args(observed: Observed, tool: str) -> dict[str, Any] | None:
    for kind in ("tool_call", "effect", "approval"):
        for data in _kinds(observed, kind):
            if data.get("tool") == tool and isinstance(data.get("args"), dict):
                return dict(data["args"])
    return None


def _plan_ok(observed: Observed) -> tuple[bool, str]:
    """A plan was made first time (no schema failure) and acts only after it checked."""
    failures = [d for d in _kinds(observed, "validation_failure") if d.get("schema") == "Plan"]
    if not _kinds(observed, "plan"):
        return False, "no plan was made"
    if failures:
        return False, f"{len(failures)} invalid Plan output(s) first"
    steps = {s["id"]: s for s in observed.plan}
    for step in steps.values():
        if step.get("worker") != "operator":
            continue
        seen: set[str] = set()
        todo = list(step.get("depends_on") or [])
        while todo:
            sid = todo.pop()
            if sid in seen or sid not in steps:
                continue
            seen.add(sid)
            todo += steps[sid].get("depends_on") or []
        workers = {steps[s]["worker"] for s in seen}
        if not {"analyst", "writer"} <= workers:
            return False, f"operator step {step['id']} does not wait for checking and drafting"
    return True, ""


def _outcome_ok(case: Case, observed: Observed) -> tuple[bool, str]:
    expect = case.expect
    if observed.status != expect.status:
        return False, f"status {observed.status}, expected {expect.status}"
    want = sorted((r.order_id, r.amount_cents, r.currency) for r in expect.refunds)
    if sorted(observed.refunds) != want:
        return False, f"refunds {sorted(observed.refunds)}, expected {want}"
    if expect.ticket is None and observed.tickets:
        return False, f"filed {len(observed.tickets)} ticket(s), expected none"
    if expect.ticket is not None:
        wanted = expect.ticket.model_dump(exclude_none=True)
        if not any(all(t.get(k) == v for k, v in wanted.items()) for t in observed.tickets):
            return False, f"tickets {observed.tickets}, expected one with {wanted}"
    if observed.emails != expect.emails:
        return False, f"{observed.emails} email(s), expected {expect.emails}"
    if expect.cites and not any(c in observed.final_answer for c in expect.cites):
        return False, f"answer cites none of {expect.cites}"
    return True, ""


def score(case: Case, observed: Observed) -> Scored:
    """Each labelled stage's verdict for one case."""
    verdicts: dict[str, bool] = {}
    why: dict[str, str] = {}
    if case.route is not None:
        verdicts["route"] = observed.route == case.route
        if not verdicts["route"]:
            why["route"] = f"took {observed.route}"
    if case.route == "orchestrate":
        verdicts["plan"], why["plan"] = _plan_ok(observed)
    for tool, wanted in case.tool_args.items():
        args = _first_args(observed, tool)
        ok = args is not None and all(str(args.get(k)) == str(v) for k, v in wanted.items())
        verdicts["tool_args"] = verdicts.get("tool_args", True) and ok
        if not ok:
            why["tool_args"] = f"{tool} called with {args}" if args else f"{tool} never called"
    verdicts["outcome"], why["outcome"] = _outcome_ok(case, observed)
    return Scored(case.id, verdicts, {k: v for k, v in why.items() if v})


def costs(observed: list[Observed]) -> dict[str, Any]:
    """Retries, escalations, schema failures, latency and tokens per tier over all runs."""
    counts: Counter[str] = Counter()
    tiers: dict[str, Counter[str]] = {}
    for run in observed:
        for event in run.trace:
            counts[event["kind"]] += 1
            if event["kind"] == "model_call":
                data = event["data"]
                tier = tiers.setdefault(str(data.get("tier")), Counter())
                tier["calls"] += 1
                tier["input_tokens"] += int(data.get("input_tokens") or 0)
                tier["output_tokens"] += int(data.get("output_tokens") or 0)
                tier["latency_ms"] += int(float(data.get("latency_ms") or 0))
    latencies = sorted(r.latency_s for r in observed)
    return {
        "retries": counts["model_retry"],
        "escalations": counts["escalation"],
        "schema_failures": counts["validation_failure"],
        "crashes": sum(1 for r in observed if r.crashed),
        "latency_s": {
            "mean": round(sum(latencies) / len(latencies), 3) if latencies else 0.0,
            "p50": round(latencies[len(latencies) // 2], 3) if latencies else 0.0,
            "max": round(latencies[-1], 3) if latencies else 0.0,
        },
        "tiers": {name: dict(c) for name, c in sorted(tiers.items())},
    }


def accuracy(scored: list[Scored]) -> dict[str, dict[str, float | int]]:
    """Per stage: cases labelled, cases right, and the share right."""
    table: dict[str, dict[str, float | int]] = {}
    for stage in STAGES:
        judged = [s.verdicts[stage] for s in scored if stage in s.verdicts]
        right = sum(judged)
        table[stage] = {
            "cases": len(judged),
            "right": right,
            "accuracy": round(right / len(judged), 3) if judged else 0.0,
        }
    return table
