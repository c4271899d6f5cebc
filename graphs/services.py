"""Everything a graph's nodes need, built once per compiled graph from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from agents.models.tiers import ModelTiers, build_tiers
from graphs.budget import RunMeter
from graphs.settings import Settings
from persistence.audit import ApprovalAudit
from persistence.budget import BudgetBook, Limits
from persistence.trace import TraceLog
from tools.ledger import EffectLedger
from tools.registry import build_tools
from tools.spec import ToolSpec
from tools.world import World, world_database


@dataclass(frozen=True)
class Services:
    """Settings, the embedded world, tools, models, ledger, budget and trace."""

    settings: Settings
    world: World
    tools: dict[str, ToolSpec]
    tiers: ModelTiers
    ledger: EffectLedger
    budget: BudgetBook
    trace: TraceLog
    audit: ApprovalAudit

    @property
    def limits(self) -> Limits:
        """The per-run caps from the settings."""
        s = self.settings
        return Limits(
            model_calls=s.max_model_calls, tool_calls=s.max_tool_calls, tokens=s.max_tokens
        )

    def meter(self, thread_id: str, step: str, turn: int | None = None) -> RunMeter:
        """The budget-and-trace meter for one step of one turn of a thread."""
        limits = self.budget.limits_for(thread_id, turn or 1, self.limits)
        return RunMeter(self.budget, self.trace, limits, thread_id, step, turn or 1)


def build_services(
    settings: Settings, tiers: ModelTiers | None = None, *, readonly: bool = False
) -> Services:
    """Open the world and Baton's stores; ``WorldUnavailable`` if the world is not there.

    ``readonly=True`` is for inspecting threads (possibly on a read-only home): the world
    is not opened and the stores create and write nothing.
    """
    world = World(settings.home, settings.smtp_url, world_database(settings.database))
    if not readonly:
        world.open()
    path = settings.db_path
    return Services(
        settings=settings,
        world=world,
        tools=build_tools(world),
        tiers=tiers or build_tiers(settings.model_config_for_agents()),
        ledger=EffectLedger(path, readonly=readonly, database=settings.database),
        budget=BudgetBook(path, readonly=readonly, database=settings.database),
        trace=TraceLog(path, readonly=readonly, database=settings.database),
        audit=ApprovalAudit(path, readonly=readonly, database=settings.database),
    )
