"""The triage router's validated decision."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RouteName = Literal["answer", "ticket", "orchestrate", "recall"]


class Route(BaseModel):
    """Which workflow a request takes."""

    model_config = ConfigDict(extra="forbid")

    route: RouteName = Field(
        description=(
            "answer: a question the policy knowledge base can answer; "
            "ticket: a bug or problem report to file; "
            "orchestrate: work that needs several specialists or touches money or email; "
            "recall: a question about this conversation itself (what was asked, done or "
            "answered in an earlier turn)."
        )
    )
    reason: str = Field(min_length=1, max_length=500, description="One sentence: why this route.")
