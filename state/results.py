"""What a worker hands back to the orchestrator, merged into state by step id."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from state.draft import Draft


class WorkerResult(BaseModel):
    """The outcome of one plan step."""

    model_config = ConfigDict(extra="forbid")

    step_id: str
    worker: str
    status: Literal["ok", "failed", "budget_exhausted"] = "ok"
    output: str = Field(default="", description="The worker's final answer for this step.")
    citations: list[str] = Field(
        default_factory=list, description="Sources used: 'doc#section' or 'table:id'."
    )
    draft: Draft | None = Field(default=None, description="A customer message, for writers.")
    effects: list[dict[str, Any]] = Field(
        default_factory=list, description="Irreversible effects executed, with their results."
    )
    tools_used: list[str] = Field(
        default_factory=list, description="Tools that ran and answered (not refused), in order."
    )
    declined: list[str] = Field(
        default_factory=list, description="Irreversible tools a human rejected in this step."
    )
    error: str | None = None
    revision: int = Field(default=0, description="How many times a reviewer sent it back.")
    resume: bool = Field(
        default=False,
        description="The step stopped before finishing (for a redone draft, or out of budget "
        "until a person raised it): it runs on, with the effects it already made.",
    )
    redo: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Drafts (by step id, with the revision seen and the reasons) that a human's "
        "edit made stale: the step stopped and runs on once they are redone.",
    )
