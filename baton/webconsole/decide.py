"""Checking the console's decisions before they become a resume run.

An edit is checked field by field with the rules the CLI applies (``baton.decisions``:
the given keys replace the proposed ones, and the merged arguments must fit the tool's
schema), plus one the schema cannot hold: an amount may not exceed the refundable
remainder the approval's ``live`` standing reports, because the backend would refuse it
only after the decision was made. Each error names the approval and the field, so the page
shows it beside the input. The service then checks the same decisions again as the graph
will (``baton.service.resume``) when the run is admitted.

Who answered an approval already is read from the thread's run records (a resume run
stores its decisions, each naming its decider, before it starts) and, for decisions made
outside the service (``baton resume``), from the approval audit.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from baton.decisions import MAX_REASON_CHARS

if TYPE_CHECKING:
    from baton.service.context import ServiceContext

_ANSWER_LOOKBACK = 50
_HOW = {"approve": "approved", "edit": "edited", "reject": "rejected"}


class ConsoleDecision(BaseModel):
    """One answer from the page."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The interrupt id.")
    type: Literal["approve", "edit", "reject"]
    args: dict[str, Any] | None = Field(default=None, description="Edited argument values.")
    message: str | None = Field(default=None, max_length=MAX_REASON_CHARS)
    tool_call_id: str | None = Field(default=None, max_length=200)


class ConsoleDecisions(BaseModel):
    """Answers to one or more pending approvals of one thread, sent together."""

    model_config = ConfigDict(extra="forbid")

    decider: str = Field(min_length=1, max_length=100, description="The operator's name.")
    decisions: list[ConsoleDecision] = Field(min_length=1, max_length=50)

    @field_validator("decisions")
    @classmethod
    def _each_once(cls, value: list[ConsoleDecision]) -> list[ConsoleDecision]:
        ids = [d.id for d in value]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"approval {twice[0]} is answered more than once")
        return value


class FieldProblem(Exception):
    """Decisions the service refuses, with the approval and field each problem concerns."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        first = problems[0]
        super().__init__(
            f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        )
        self.problems = problems


def _over_remainder(item: dict[str, Any], args: dict[str, Any]) -> str | None:
    live = item.get("live") or {}
    if not isinstance(live, dict) or live.get("refundable") is None or "amount" not in args:
        return None
    try:
        amount = Decimal(str(args["amount"]))
        left = Decimal(str(live["refundable"]).split()[0])  # "129.00 USD"
    except (InvalidOperation, IndexError):
        return None
    if amount > left:
        return f"at most {live['refundable']}: the refundable remainder of the charge"
    return None


def edited_args(
    item: dict[str, Any], given: dict[str, Any], tools: dict[str, Any]
) -> dict[str, Any]:
    """The merged arguments of an edit; ``FieldProblem`` when they break a rule."""
    merged = {**item["args"], **given}
    spec = tools.get(item["tool"])
    if spec is None:
        raise FieldProblem([{"id": item["id"], "field": "", "message": "unknown tool"}])
    try:
        spec.validate_args(merged)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            problems.append({"id": item["id"], "field": where, "message": error["msg"]})
        raise FieldProblem(problems) from None
    over = _over_remainder(item, merged)
    if over:
        raise FieldProblem([{"id": item["id"], "field": "amount", "message": over}])
    return merged


def resume_map(
    body: ConsoleDecisions, pending: dict[str, dict[str, Any]], tools: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """``{interrupt id: decision}`` for a resume run; every id must be pending."""
    problems: list[dict[str, str]] = []
    answers: dict[str, dict[str, Any]] = {}
    for decision in body.decisions:
        item = pending[decision.id]
        base = {"args_hash": item["args_hash"], "decider": body.decider}
        if item.get("kind") != "tool_approval":
            problems.append(
                {"id": decision.id, "field": "", "message": "answer it with baton resume"}
            )
        elif decision.type == "approve":
            answers[decision.id] = {"type": "approve", **base}
        elif decision.type == "reject":
            reason = (decision.message or "").strip()
            if not reason:
                problems.append({"id": decision.id, "field": "message", "message": "give a reason"})
            answers[decision.id] = {"type": "reject", "message": reason, **base}
        else:
            try:
                args = edited_args(item, decision.args or {}, tools)
            except FieldProblem as refused:
                problems += refused.problems
                continue
            action = {"name": item["tool"], "args": args}
            answers[decision.id] = {"type": "edit", "edited_action": action, **base}
    if problems:
        raise FieldProblem(problems)
    return answers


def _how(decision: Any) -> str:
    if not isinstance(decision, dict):
        return "answered"
    return _HOW.get(str(decision.get("type")), str(decision.get("type", "answered")))


async def who_answered(
    ctx: ServiceContext, thread_id: str, interrupt_id: str, tool_call_id: str | None
) -> str | None:
    """``"bob (tenant acme, baton serve): approved"`` for an answered approval, else None."""
    runs = await asyncio.to_thread(
        ctx.runs.list_for_thread, thread_id, limit=_ANSWER_LOOKBACK, offset=0
    )
    for run in reversed(runs):  # oldest first: the first answer is the one that counts
        resume = (run.kwargs.get("command") or {}).get("resume")
        if isinstance(resume, dict) and interrupt_id in resume:
            decision = resume[interrupt_id]
            who = decision.get("decider") if isinstance(decision, dict) else None
            return f"{who or 'an API client'}: {_how(decision)}"
    if tool_call_id:
        rows = await asyncio.to_thread(ctx.services.audit.rows, thread_id)
        for row in rows:
            if row["event"] == "decided" and row["tool_call_id"] == tool_call_id:
                return f"{row['decider'] or 'someone'}: {_how({'type': row['decision']})}"
    return None
