"""Irreversible actions proposed by workers, and the human decisions that answer them.

The interrupt payload is a tool-approval request in the shape LangChain's
human-in-the-loop middleware uses (``type``, ``tool_call_id``, ``name``, ``args``,
``description``), extended with Baton's ``args_hash``, ``step``, ``worker`` and ``live``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


def args_hash(name: str, args: dict[str, Any]) -> str:
    """Stable hash of a tool call's name and arguments (what a decision is bound to)."""
    blob = json.dumps({"name": name, "args": args}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


class ProposedAction(BaseModel):
    """An irreversible tool call waiting for a decision; the interrupt's value."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["tool_approval"] = "tool_approval"
    tool_call_id: str
    name: str
    args: dict[str, Any]
    description: str = Field(description="The worker's reason for the call.")
    args_hash: str
    step: str
    worker: str
    error: str | None = Field(
        default=None, description="Why a previous decision for this call was refused."
    )
    review: list[dict[str, Any]] | None = Field(
        default=None,
        description="For text a human edited: each review rule's verdict (rule, passed, "
        "reasons); a failing text cannot be approved, only edited again or rejected.",
    )
    live: dict[str, Any] | None = Field(
        default=None,
        description="What the world says about the call's fact now: for a refund, the charge "
        "and its refundable remainder; who already did it, if anyone.",
    )


class ApproveDecision(BaseModel):
    """Run the call as proposed."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["approve"]
    args_hash: str | None = Field(default=None, description="If given, must match the proposal.")
    decider: str | None = Field(default=None, max_length=200, description="Who decided.")


class EditedAction(BaseModel):
    """Replacement tool call for an edit decision."""

    model_config = ConfigDict(extra="forbid")

    name: str
    args: dict[str, Any]


class EditDecision(BaseModel):
    """Run the call with new arguments (validated again like the model's)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["edit"]
    edited_action: EditedAction
    args_hash: str | None = None
    decider: str | None = Field(default=None, max_length=200, description="Who decided.")


class RejectDecision(BaseModel):
    """Do not run the call; the worker sees the message and can respond."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["reject"]
    message: str = Field(default="rejected by a human", max_length=2000)
    args_hash: str | None = None
    decider: str | None = Field(default=None, max_length=200, description="Who decided.")


Decision = Annotated[ApproveDecision | EditDecision | RejectDecision, Field(discriminator="type")]
DecisionAdapter: TypeAdapter[ApproveDecision | EditDecision | RejectDecision] = TypeAdapter(
    Decision
)
