"""Everything a running service holds, opened once per process and closed at exit.

One async checkpointer (Baton's saver for the configured engine), the services the graphs'
nodes use, the graphs, and the service's own stores (run records, the thread index and the
stream event log; ``persistence.service_stores``: in PostgreSQL when ``BATON_DATABASE_URL``
selects it, else in ``baton.db``). On SQLite they share one connection that commits with
``synchronous=NORMAL``:
in WAL mode a commit survives a killed process without an fsync, so the service's
bookkeeping does not hold SQLite's write lock through an fsync beside the checkpoints (which
keep ``FULL``). A power cut may lose its last commits: a run whose record is lost is not
carried on at the next start, and its thread continues with a run that has no input.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from baton.service.assistants import ORCHESTRATOR, Assistant, AssistantRegistry
from baton.service.auth import KeyRing
from baton.service.settings import ServiceSettings
from baton.service.streams import StreamHub
from baton.service.thread_watch import ThreadWatch

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from agents.models.tiers import ModelTiers
    from graphs.services import Services
    from graphs.settings import Settings
    from persistence.runs import RunStore
    from persistence.threads import ThreadStore

ORCHESTRATOR_DESCRIPTION = (
    "Baton's orchestrator: triage, then an answer, a ticket or a plan carried out by "
    "parallel workers; irreversible effects wait for a human decision."
)


@dataclass
class ServiceContext:
    """The open service: settings, stores, graphs, the stream hub, the key ring and the watch."""

    settings: Settings
    service: ServiceSettings
    services: Services
    saver: BaseCheckpointSaver[Any]
    assistants: AssistantRegistry
    runs: RunStore
    threads: ThreadStore
    hub: StreamHub
    keyring: KeyRing
    watch: ThreadWatch = field(default_factory=ThreadWatch)


def build_assistants(services: Services, saver: BaseCheckpointSaver[Any]) -> AssistantRegistry:
    """The orchestrator and every registered worker, compiled over ``saver``."""
    from agents.workers import all_workers
    from graphs.orchestrator import build_orchestrator
    from graphs.worker import build_worker_graph

    now = time.time()
    assistants = [
        Assistant(
            ORCHESTRATOR,
            ORCHESTRATOR_DESCRIPTION,
            build_orchestrator(checkpointer=saver, services=services),
            now,
        )
    ]
    for name, spec in sorted(all_workers().items()):
        graph = build_worker_graph(spec, services, checkpointer=saver)
        assistants.append(Assistant(name, spec.description, graph, now))
    return AssistantRegistry(assistants)


@asynccontextmanager
async def open_context(
    settings: Settings, service: ServiceSettings, tiers: ModelTiers | None = None
) -> AsyncIterator[ServiceContext]:
    """Open the saver, services, graphs and stores; close them when the block ends.

    ``tiers`` replaces the models (tests); by default they come from the settings.
    """
    import asyncio

    from graphs.checkpointer import open_async_checkpointer
    from graphs.services import build_services
    from persistence.service_stores import open_service_stores

    settings.home.mkdir(parents=True, exist_ok=True)
    services = await asyncio.to_thread(build_services, settings, tiers)
    stores = await asyncio.to_thread(open_service_stores, settings.database, settings.db_path)
    try:
        async with open_async_checkpointer(settings.database) as saver:
            hub = StreamHub(stores.stream_log, running=stores.running)
            hub.start()
            try:
                yield ServiceContext(
                    settings=settings,
                    service=service,
                    services=services,
                    saver=saver,
                    assistants=build_assistants(services, saver),
                    runs=stores.runs,
                    threads=stores.threads,
                    hub=hub,
                    keyring=KeyRing(service.keys()),
                )
            finally:
                await hub.stop()
    finally:
        await asyncio.to_thread(stores.close)
