"""Crash points after each committed checkpoint: the superstep boundaries of the crash matrix.

LangGraph has no hook that runs after a checkpoint is durably written, so when crash points
are armed (``tools.faults.ENABLED``) the saver's ``put`` is wrapped: the real write commits
first, then ``superstep:<n>`` (the parent graph) or ``checkpoint:<node>:<n>`` (a worker
subgraph) is reached. Unarmed, the saver is returned untouched.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tools.faults import ENABLED, crash_point

S = TypeVar("S")


def point_name(config: Any, metadata: Any) -> str:
    """The crash point name for a checkpoint written with ``config`` and ``metadata``."""
    configurable = config.get("configurable") or {}
    namespace = str(configurable.get("checkpoint_ns") or "")
    step = (metadata or {}).get("step", "?")
    if not namespace:
        return f"superstep:{step}"
    node = namespace.split("|")[-1].split(":")[0]
    return f"checkpoint:{node}:{step}"


def arm_commit_points(saver: S) -> S:
    """Make ``saver.put`` reach a crash point after each commit, if crash points are armed."""
    if not ENABLED:
        return saver
    put = saver.put  # type: ignore[attr-defined]

    def put_then_crash_point(config: Any, checkpoint: Any, metadata: Any, versions: Any) -> Any:
        stored = put(config, checkpoint, metadata, versions)
        crash_point(point_name(config, metadata))
        return stored

    saver.put = put_then_crash_point  # type: ignore[attr-defined]
    return saver
