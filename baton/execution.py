"""Driving a thread: stream it with progress lines, then read how it ended."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from typing import Any

from baton.console import say
from baton.outcome import Outcome, read_outcome
from baton.progress import ProgressPrinter
from baton.runtime import Runtime, config_for


def announce_models(rt: Runtime) -> None:
    """Say which models drive the run; the offline stand-in is always announced."""
    tiers = rt.services.tiers
    if tiers.offline:
        say(f"model: {tiers.name('fast')} (offline stand-in; set OPENAI_API_KEY for a real model)")
    else:
        say(f"model: fast {tiers.name('fast')}, strong {tiers.name('strong')}")


def drive(
    rt: Runtime,
    stream_input: Any,
    thread_id: str,
    *,
    show_progress: bool,
    heartbeat: Callable[[], None] | None = None,
    on_event: Callable[[str, Any], None] | None = None,
) -> Outcome:
    """Stream ``stream_input`` on the thread until it ends or waits, then read the outcome.

    Each call is one run with a new run id, recorded in every checkpoint and write it makes
    and reported in the outcome. Progress lines are rendered from the run's progress events
    (``custom`` mode, subgraphs included, since workers say theirs from inside); ``on_event``
    also gets the final answer's tokens (``messages`` mode). Hitting ``recursion_limit`` is
    an ending, not a crash: the thread keeps its last checkpoint and the outcome says so.
    So is a model server that cannot be used (``ModelUnavailable``): the run ends ``failed``
    with the reason, and ``baton resume`` continues it from its last checkpoint.
    ``heartbeat`` is called on every stream item (the thread lease renews itself through it).
    """
    from langgraph.errors import GraphRecursionError
    from langgraph.types import StreamMode

    from agents.errors import ModelUnavailable

    printer = ProgressPrinter() if show_progress else None
    modes: list[StreamMode] = ["custom", "messages"] if on_event is not None else ["custom"]
    stopped = None
    run_id = str(uuid.uuid4())
    try:
        for _namespace, mode, data in rt.graph.stream(
            stream_input,
            config_for(thread_id, run_id),
            stream_mode=modes,
            subgraphs=True,
            durability=rt.settings.durability,
        ):
            if heartbeat is not None:
                heartbeat()
            if printer is not None and mode == "custom":
                printer.handle(data)
            if on_event is not None:
                on_event(str(mode), data)
    except GraphRecursionError:
        stopped = f"recursion limit of {rt.settings.recursion_limit} steps reached"
    except ModelUnavailable as exc:  # the thread keeps its last checkpoint: resumable
        stopped = str(exc)
    return dataclasses.replace(read_outcome(rt, thread_id, stopped), run_id=run_id)
