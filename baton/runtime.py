"""Opening the compiled orchestrator over the durable checkpointer, for one command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from baton.errors import BadInput

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph

    from graphs.services import Services
    from graphs.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """The settings, the services the nodes use, and the compiled graph."""

    settings: Settings
    services: Services
    graph: CompiledStateGraph[Any, Any, Any, Any]

    @property
    def workers(self) -> set[str]:
        """Names of the registered worker subgraphs."""
        from agents.workers import all_workers

        return set(all_workers())


def config_for(thread_id: str, run_id: str | None = None) -> Any:
    """The run config that names a thread (limits come with the compiled graph).

    A ``run_id`` goes in the config metadata, as LangGraph's server puts its own: every
    checkpoint and write the run makes carries it, so ``baton delete THREAD --run RUN``
    can take that run back.
    """
    config: dict[str, Any] = {"configurable": {"thread_id": thread_id}}
    if run_id is not None:
        config["metadata"] = {"run_id": run_id}
    return config


@contextmanager
def open_runtime(settings: Settings, *, readonly: bool = False) -> Iterator[Runtime]:
    """Build services and graph; close the checkpoint saver when the command ends.

    On SQLite, closing it checkpoints the WAL into ``baton.db``, so the next command starts
    from a clean file (and a refused command can leave it byte-identical). ``readonly=True``
    (``show``, ``history``, ``trace``) writes nothing anywhere and needs no world, so it
    works on a read-only home. A missing or unreadable world is ``BadInput`` naming the fix.
    """
    from graphs.checkpointer import open_checkpointer, open_readonly_checkpointer
    from graphs.commit_points import arm_commit_points
    from graphs.orchestrator import build_orchestrator
    from graphs.services import build_services
    from tools.world import WorldUnavailable

    try:
        services = build_services(settings, readonly=readonly)
    except WorldUnavailable as exc:
        raise BadInput(str(exc)) from None
    if readonly:
        saver = open_readonly_checkpointer(settings.database)
    else:
        saver = arm_commit_points(open_checkpointer(settings.database))
    try:
        graph = build_orchestrator(checkpointer=saver, services=services)
        yield Runtime(settings=settings, services=services, graph=graph)
    finally:
        saver.close()
