"""``baton serve``'s application in this process, driven over ASGI by the stock SDK client.

The lifespan runs for real (saver, stores, graphs, recovery); only the transport is
in-process: ``httpx.ASGITransport`` hands a streamed response over once it is complete.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from langgraph_sdk.client import LangGraphClient

from agents.models.tiers import ModelTiers
from baton.service.app import create_app
from baton.service.settings import ServiceSettings
from graphs.settings import Settings
from tools.world import World

ACME = "acme-key-0123456789"
GLOBEX = "globex-key-0123456789"
KEYS = f"{ACME}=acme,{GLOBEX}=globex"


@dataclass
class Served:
    """The app, a raw HTTP client and an SDK client (both as tenant acme)."""

    app: FastAPI
    http: httpx.AsyncClient
    sdk: LangGraphClient

    def as_tenant(self, key: str | None) -> httpx.AsyncClient:
        """A raw client sending ``key`` (or none)."""
        headers = {"x-api-key": key} if key else {}
        return httpx.AsyncClient(
            base_url="http://baton", transport=httpx.ASGITransport(app=self.app), headers=headers
        )


@asynccontextmanager
async def served(
    settings: Settings, *, tiers: ModelTiers | None = None, **service: Any
) -> AsyncIterator[Served]:
    """Run the app's lifespan around an SDK client of tenant acme."""
    config = ServiceSettings(_env_file=None, api_keys=KEYS, **service)  # type: ignore[call-arg]
    World(settings.home).init()  # the sample world, as `baton world init` makes it
    app = create_app(settings, config, tiers)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            base_url="http://baton", transport=transport, headers={"x-api-key": ACME}, timeout=60
        ) as http:
            yield Served(app, http, LangGraphClient(http))
