"""Answers to pending approvals, checked before a resume run is accepted.

A resume names each interrupt by its id (``{"resume": {ID: decision}}``), or, when exactly
one is pending, may send the decision alone. Each decision is checked the way the graph
will check it (``graphs.approval.check_decision``: its shape, the tool an edit keeps, the
edited arguments against the tool's schema; ``graphs.reconcile.ReconcileAnswer`` for an
effect of unknown outcome), so a bad answer is a 422 and nothing runs. Each accepted
decision is bound to the arguments it answers (``args_hash``) and names who decided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from langgraph.types import Interrupt
from pydantic import ValidationError

from baton.pending import RECONCILIATION
from baton.service.errors import ApiError, one_line
from graphs.approval import DecisionRefused, check_decision
from graphs.reconcile import ReconcileAnswer
from state.actions import ProposedAction
from tools.spec import ToolSpec

INTERRUPT_ID = re.compile(r"^[0-9a-f]{32}$")
_DECIDER_CHARS = 200


def decider_for(given: Any, tenant: str) -> str:
    """Who decided, as the approval audit records it: the client's name and the tenant."""
    suffix = f" (tenant {tenant}, baton serve)"
    if isinstance(given, str) and given.strip():
        return one_line(given, _DECIDER_CHARS - len(suffix)) + suffix
    return f"API client{suffix}"


def _answers(resume: Any, waiting: Mapping[str, Interrupt]) -> dict[str, Any]:
    if (
        isinstance(resume, dict)
        and resume
        and all(isinstance(key, str) and INTERRUPT_ID.match(key) for key in resume)
    ):
        return dict(resume)
    if len(waiting) == 1:
        return {next(iter(waiting)): resume}
    ids = ", ".join(waiting)
    raise ApiError(
        422,
        f"{len(waiting)} approvals are pending ({ids}): answer each by its id, "
        'as {"resume": {ID: decision}}',
    )


def _checked(item: Interrupt, raw: Any, tools: Mapping[str, ToolSpec], tenant: str) -> Any:
    value = item.value if isinstance(item.value, dict) else {}
    given = raw.get("decider") if isinstance(raw, dict) else None
    if value.get("type") == RECONCILIATION:
        try:
            answer = ReconcileAnswer.model_validate(raw)
        except ValidationError:
            raise ApiError(
                422,
                f'{item.id} asks whether an effect happened: answer {{"type": "sent"}} '
                'or {"type": "not_sent"}',
            ) from None
        checked = answer.model_dump(exclude_none=True)
        checked.setdefault("args_hash", value.get("args_hash"))
    elif value.get("type") == "tool_approval":
        proposal = ProposedAction.model_validate(value)
        spec = tools.get(proposal.name)
        if spec is None:
            raise ApiError(409, f"approval {item.id} names a tool this server lacks")
        try:
            decision = check_decision(raw, proposal, spec)
        except DecisionRefused as exc:
            raise ApiError(422, one_line(f"decision for {item.id} refused: {exc}")) from None
        checked = decision.model_dump(exclude_none=True)
        checked["args_hash"] = proposal.args_hash
    else:  # an interrupt of another kind (a breakpoint): passed on as given
        return raw
    checked["decider"] = decider_for(given, tenant)
    return checked


def checked_resume(
    resume: Any,
    waiting: list[Interrupt],
    tools: Mapping[str, ToolSpec],
    *,
    thread_id: str,
    tenant: str,
    answered: Mapping[str, str],
) -> dict[str, Any]:
    """The resume map to run, ``{interrupt id: checked decision}``; ``ApiError`` if refused.

    ``answered`` maps interrupt ids that earlier runs of the thread answered to those runs,
    so a second answer to the same approval is a conflict (409), not an unknown id.
    """
    if resume is None:
        raise ApiError(422, "command.resume: give the decision(s) to resume with")
    by_id = {item.id: item for item in waiting}
    if not by_id:
        for key in resume if isinstance(resume, dict) else ():
            if key in answered:
                raise ApiError(409, f"approval {key} was already answered by run {answered[key]}")
        raise ApiError(409, f"thread {thread_id} is not waiting for an approval")
    answers = _answers(resume, by_id)
    for key in answers:
        if key in by_id:
            continue
        if key in answered:
            raise ApiError(409, f"approval {key} was already answered by run {answered[key]}")
        raise ApiError(422, f"no pending approval with id {key} (pending: {', '.join(by_id)})")
    return {key: _checked(by_id[key], raw, tools, tenant) for key, raw in answers.items()}
