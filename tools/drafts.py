"""The ``draft_email`` tool: hand a customer email to review without sending anything."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from state.draft import Draft
from tools.customers import check_recipient
from tools.spec import ToolCallContext, ToolSpec
from tools.world import World


class DraftEmailArgs(BaseModel):
    """Arguments of ``draft_email`` (the same limits as :class:`state.draft.Draft`)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int = Field(gt=0, description="The customer the email is for.")
    to: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="The customer's email address exactly as on file.",
    )
    subject: str = Field(min_length=1, max_length=200, description="Subject line.")
    body: str = Field(
        min_length=1,
        max_length=5000,
        description="Plain-text body following the tone guide, signed '— The Support Team'.",
    )
    regarding: str | None = Field(
        default=None,
        max_length=200,
        description="The case and what the email tells about it, e.g. 'order 5531: duplicate "
        "charge refunded'. Baton sends one email per recipient and case.",
    )


def build_draft_email(world: World) -> ToolSpec:
    """Build the drafting tool; it checks the recipient against the customers table."""

    def run(args: DraftEmailArgs, ctx: ToolCallContext) -> dict[str, Any]:
        email = check_recipient(world, args.customer_id, args.to)
        draft = Draft(
            customer_id=args.customer_id,
            to=email,
            subject=args.subject,
            body=args.body,
            regarding=args.regarding,
        )
        return {"saved": True, "draft": draft.model_dump()}

    return ToolSpec(
        name="draft_email",
        description=(
            "Save a draft email to a customer for review. Nothing is sent; sending needs "
            "send_email and human approval. The address must be the customer's on file."
        ),
        args_schema=DraftEmailArgs,
        reversible=True,
        run=run,
    )
