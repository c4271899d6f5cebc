"""The graphs named in ``langgraph.json``, for ``langgraph dev`` and LangGraph Studio.

Compiled without a checkpointer: the server brings its own. Settings come from the
environment (``BATON_*``, ``OPENAI_*``) as for the CLI.
"""

from __future__ import annotations

from agents.workers import get_worker
from graphs.orchestrator import build_orchestrator
from graphs.services import build_services
from graphs.settings import Settings
from graphs.worker import build_worker_graph

_services = build_services(Settings())

orchestrator = build_orchestrator(services=_services)
researcher = build_worker_graph(get_worker("researcher"), _services)
analyst = build_worker_graph(get_worker("analyst"), _services)
writer = build_worker_graph(get_worker("writer"), _services)
operator = build_worker_graph(get_worker("operator"), _services)
