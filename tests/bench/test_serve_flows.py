"""The ``serve`` workload's flows: every seeded order takes the full approval flow once."""

from __future__ import annotations

from pathlib import Path

import httpx
from langgraph_sdk.client import LangGraphClient

from baton.service.app import create_app
from baton.service.settings import ServiceSettings
from bench.report import table
from bench.serve_flows import in_process_flow, refunded, sdk_flow, seed_home
from graphs.checkpointer import open_async_checkpointer
from graphs.orchestrator import build_orchestrator
from graphs.settings import Settings


async def test_a_seeded_order_runs_the_flow_in_process(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orders = seed_home(home, 2)
    settings = Settings(home=home, _env_file=None)
    async with open_async_checkpointer(settings.db_path) as saver:
        graph = build_orchestrator(checkpointer=saver, settings=settings)
        flows = [await in_process_flow(graph, order) for order in orders]
    assert [f.status for f in flows] == ["done", "done"]
    assert refunded(home, orders) == 2


async def test_the_same_flow_over_the_api_times_its_first_event(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (order,) = seed_home(home, 1)
    app = create_app(Settings(home=home, _env_file=None), ServiceSettings(_env_file=None))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(base_url="http://baton", transport=transport) as http:
            flow = await sdk_flow(LangGraphClient(http), order)
    assert flow.status == "done" and flow.first_event_s is not None
    assert refunded(home, [order]) == 1


def test_the_report_shows_the_serve_rows() -> None:
    side = {
        "sequential_s": 1.0,
        "concurrent_s": 0.5,
        "first_event_ms": {"median": 9.0, "max": 12.0},
    }
    serve = {"flows": 20, "in_process": side, "serve": side, "dev": side}
    text = table({"serve": serve}, [])
    assert "approval flows x 20" in text and "9.0/12.0" in text
