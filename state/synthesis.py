"""The final answer of an orchestrated run, with the step results it cites."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Synthesis(BaseModel):
    """The synthesizer's validated output."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=6000, description="The final answer.")
    cited_steps: list[str] = Field(
        default_factory=list, description="Ids of the step results the answer relies on."
    )

    @field_validator("cited_steps")
    @classmethod
    def _cites_known_steps(cls, cited: list[str], info: ValidationInfo) -> list[str]:
        ctx: dict[str, Any] = info.context or {}
        known: set[str] | None = ctx.get("step_ids")
        if known is not None:
            unknown = sorted(set(cited) - known)
            if unknown:
                raise ValueError(f"cites unknown step(s) {unknown}; known: {sorted(known)}")
        return cited
