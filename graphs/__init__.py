"""How it is wired: worker subgraphs, the orchestrator, approval and execute nodes.

Imports are lazy so that ``baton --help`` does not pay for LangGraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph.graph.state import CompiledStateGraph


def build_orchestrator(**kwargs: Any) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the orchestrator; see ``graphs.orchestrator.build_orchestrator``."""
    from graphs.orchestrator import build_orchestrator as build

    return build(**kwargs)


__all__ = ["build_orchestrator"]
