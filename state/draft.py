"""Customer message drafts and the verdicts of the rule checks run over them."""

from pydantic import BaseModel, ConfigDict, Field


class Draft(BaseModel):
    """A customer-facing email drafted by the writer."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(gt=0)
    to: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)
    regarding: str | None = Field(
        default=None,
        max_length=200,
        description="The case and what the email tells about it, e.g. 'order 5531: duplicate "
        "charge refunded'; one email per recipient and case.",
    )


class ReviewVerdict(BaseModel):
    """One rule's verdict on one draft."""

    model_config = ConfigDict(extra="forbid")

    step_id: str
    revision: int = 0
    rule: str
    passed: bool
    reasons: list[str] = Field(default_factory=list)
