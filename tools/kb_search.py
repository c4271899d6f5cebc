"""The ``kb_search`` tool: look up policy and product answers in the knowledge base."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.knowledge_base import search
from tools.spec import ToolCallContext, ToolSpec
from tools.world import World


class KbSearchArgs(BaseModel):
    """Arguments of ``kb_search``."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(
        min_length=1,
        max_length=500,
        description="What to look up, in plain words, e.g. 'refund duplicate charge'.",
    )
    k: int = Field(default=4, ge=1, le=10, description="How many sections to return (1-10).")


def build_kb_search(world: World) -> ToolSpec:
    """Build the read-only knowledge-base search tool over ``world``."""

    def run(args: KbSearchArgs, ctx: ToolCallContext) -> list[dict[str, Any]]:
        return [{**hit.model_dump(), "cite": hit.cite} for hit in search(world, args.query, args.k)]

    return ToolSpec(
        name="kb_search",
        description=(
            "Search the support knowledge base (refund policy, escalation rules, tone guide, "
            "product FAQ). Returns matching sections with a 'cite' like "
            "'refund-policy#Duplicate charges' to quote as the source."
        ),
        args_schema=KbSearchArgs,
        reversible=True,
        run=run,
    )
