"""Progress events: what a run tells its watchers, in LangGraph's ``custom`` stream mode.

Schema version 1. Every event is a JSON object with ``v`` (the schema version, 1),
``event`` (one of the kinds below), ``thread_id`` and ``turn``, plus the fields of its kind.
Kinds are only ever added within a version; a field is never removed or changes meaning
without a new ``v``. The CLI (``baton run``, ``baton chat``) renders from these same
events, and ``baton serve`` forwards them as ``custom`` server-sent events.

Events are at-least-once: a node that re-runs after a crash or a resume says its piece
again, so a watcher keys what it shows on the ids the events carry (step, tool_call_id).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SCHEMA_VERSION = 1


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    thread_id: str
    turn: int


class TurnStarted(_Event):
    """A new turn began on the thread."""

    event: Literal["turn_started"] = "turn_started"
    request: str


class Routed(_Event):
    """Triage picked a workflow."""

    event: Literal["route"] = "route"
    route: str
    reason: str


class Planned(_Event):
    """The planner added steps (or said the results suffice)."""

    event: Literal["plan"] = "plan"
    iteration: int
    steps: list[dict[str, Any]] = Field(description="id, worker, instruction, depends_on")
    done: bool


class StepStarted(_Event):
    """A worker picked up a step (``revision`` > 0: a draft sent back by review)."""

    event: Literal["step_started"] = "step_started"
    step: str
    worker: str
    revision: int = 0
    instruction: str


class StepFinished(_Event):
    """A worker finished a step: ``status`` ok, failed or budget_exhausted."""

    event: Literal["step_finished"] = "step_finished"
    step: str
    worker: str
    status: str
    output: str
    error: str | None = None


class ToolCalled(_Event):
    """A reversible tool ran (or refused): ``ok`` False carries the reason in ``error``."""

    event: Literal["tool_called"] = "tool_called"
    step: str
    worker: str
    tool: str
    tool_call_id: str
    ok: bool
    error: str | None = None


class Reviewed(_Event):
    """One review rule's verdict on one draft revision."""

    event: Literal["review"] = "review"
    step: str
    revision: int
    rule: str
    passed: bool
    reasons: list[str]


class DraftApproved(_Event):
    """A draft revision passed every review rule."""

    event: Literal["draft_approved"] = "draft_approved"
    step: str
    revision: int


class ApprovalWaiting(_Event):
    """An irreversible call waits for a human decision (the run pauses)."""

    event: Literal["approval_waiting"] = "approval_waiting"
    step: str
    worker: str
    tool: str
    tool_call_id: str
    args: dict[str, Any]
    args_hash: str
    description: str
    live: dict[str, Any] | None = Field(
        default=None,
        description="what the world says about the call's fact now (a refund's refundable "
        "remainder; who already did it)",
    )


class ApprovalDecided(_Event):
    """A decision on an irreversible call was accepted."""

    event: Literal["approval_decided"] = "approval_decided"
    step: str
    tool: str
    tool_call_id: str
    decision: str
    decider: str


class EffectDone(_Event):
    """An irreversible call ran through the effect ledger (or was replayed from it)."""

    event: Literal["effect_done"] = "effect_done"
    step: str
    worker: str
    tool: str
    tool_call_id: str
    decision: str = Field(description="approve or edit: the decision it ran under")
    key: str = Field(description="the effect ledger's key for the call")
    result: Any
    replayed: bool = Field(description="True: the ledger had it done already")


class EffectNotRepeated(_Event):
    """An approved irreversible call did not run: its fact was already in the world."""

    event: Literal["effect_not_repeated"] = "effect_not_repeated"
    step: str
    worker: str
    tool: str
    tool_call_id: str
    decision: str
    done_by: list[str] = Field(description="who did it before (thread or outside Baton), when")


class TicketFiled(_Event):
    """The ticket chain filed a ticket."""

    event: Literal["ticket_filed"] = "ticket_filed"
    ticket_id: int
    title: str


class TurnFinished(_Event):
    """The turn ended: ``status`` done, unresolved, failed or budget_exhausted.

    ``unresolved`` (added in v1): every step ran but the turn's contract does not hold; the
    reason is in ``error``.
    """

    event: Literal["turn_finished"] = "turn_finished"
    status: str
    error: str | None = None


ProgressEvent = Annotated[
    TurnStarted
    | Routed
    | Planned
    | StepStarted
    | StepFinished
    | ToolCalled
    | Reviewed
    | DraftApproved
    | ApprovalWaiting
    | ApprovalDecided
    | EffectDone
    | EffectNotRepeated
    | TicketFiled
    | TurnFinished,
    Field(discriminator="event"),
]
"""Any progress event; ``ProgressEventAdapter.json_schema()`` is the published schema."""

ProgressEventAdapter: TypeAdapter[Any] = TypeAdapter(ProgressEvent)
