"""The final answer of a turn, with the step results and sources it cites."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator


class Synthesis(BaseModel):
    """The synthesizer's validated output.

    Validation context: ``step_ids`` (the steps that may be cited), ``sources`` (the
    ``doc#section`` sources the results returned) and ``turns`` (the earlier turns a recall
    answer may cite). When there are results, the answer must cite at least one step or
    source; it may never cite a step or turn that does not exist.
    """

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=6000, description="The final answer.")
    cited_steps: list[str] = Field(
        default_factory=list, description="Ids of the step results the answer relies on."
    )
    cited_sources: list[str] = Field(
        default_factory=list, description="Knowledge-base sources ('doc#section') it names."
    )
    cited_turns: list[int] = Field(
        default_factory=list, description="Earlier turns of the conversation it relies on."
    )

    @model_validator(mode="after")
    def _cites_what_exists(self, info: ValidationInfo) -> "Synthesis":
        ctx: dict[str, Any] = info.context or {}
        known: set[str] | None = ctx.get("step_ids")
        if known is not None:
            unknown = sorted(set(self.cited_steps) - known)
            if unknown:
                raise ValueError(f"cites unknown step(s) {unknown}; known: {sorted(known)}")
            if known and not self.cited_steps and not self.cited_sources:
                raise ValueError(
                    "cite the step results you rely on in square brackets, e.g. "
                    f"[{sorted(known)[0]}]"
                )
        turns: set[int] | None = ctx.get("turns")
        if turns is not None:
            unknown_turns = sorted(set(self.cited_turns) - turns)
            if unknown_turns:
                raise ValueError(f"cites turn(s) {unknown_turns} the conversation does not have")
        return self
