"""Node functions handed to LangGraph as calling no subgraph.

When a graph compiles, LangGraph looks inside every function node for a subgraph it might
call, so that the subgraph's checkpoints get their own namespace: it disassembles the
function and follows every value the function captures. Baton's node functions capture
its services (stores, tools, models) and call no subgraph (worker subgraphs are nodes of
their own), and that search was about half of compiling the orchestrator, i.e. of a
resumed process's time before its first node. A ``functools.partial`` of the function has
the same signature, so LangGraph still passes ``config`` and names the node, but it is not
searched. A node that invokes a compiled graph inside its body must not be wrapped.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any


def plain_node(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` for ``StateGraph.add_node``, marked as calling no subgraph (not searched).

    LangGraph then infers no input schema from ``fn``'s annotations: a node whose input
    is not the graph's state (one reached by ``Send`` with its own payload type) needs
    ``input_schema=`` at ``add_node``.
    """
    return partial(fn)
