"""The FastAPI application of ``baton serve``.

The lifespan opens the service (``baton.service.context``), carries on the runs a previous
process left unfinished, and on shutdown stops the runs in flight (they stay ``running`` in
the run store and resume at the next start) before closing the saver.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agents.models.tiers import ModelTiers
from baton.service import assistant_routes, meta, runs, thread_state, threads
from baton.service.admission import check_against_thread
from baton.service.context import open_context
from baton.service.errors import install_error_handlers
from baton.service.executor import RunExecutor
from baton.service.limits import BodyLimit
from baton.service.settings import ServiceSettings
from baton.webconsole import routes as console_routes
from graphs.settings import Settings

log = logging.getLogger("baton.service")

DESCRIPTION = (
    "Baton behind the LangGraph Server API: the endpoints langgraph-sdk, RemoteGraph and "
    "Agent Chat UI call. One run per thread; runs and their event streams survive a "
    "restart; API keys per tenant (Authorization: Bearer KEY or x-api-key)."
)


def create_app(
    settings: Settings, service: ServiceSettings, tiers: ModelTiers | None = None
) -> FastAPI:
    """The application over ``settings`` (graphs and stores) and ``service`` (HTTP).

    ``tiers`` replaces the models (tests); by default they come from the settings.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_context(settings, service, tiers) as ctx:

            async def pre_start(run):  # type: ignore[no-untyped-def]
                return await check_against_thread(ctx, run)

            executor = RunExecutor(ctx, pre_start)
            app.state.ctx, app.state.executor = ctx, executor
            carried = await executor.open()
            if carried:
                log.warning("carrying on %d run(s) left unfinished by a previous process", carried)
            try:
                yield
            finally:
                await executor.stop()

    from importlib.metadata import version

    app = FastAPI(
        title="baton serve",
        version=version("baton"),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    for module in (meta, assistant_routes, threads, thread_state, runs):
        app.include_router(module.router)
    app.include_router(console_routes.router)  # the operator's console, /console
    app.add_middleware(BodyLimit, limit=service.max_body_bytes)
    return app
