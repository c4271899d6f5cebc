"""Child process of the resume benchmark: resume a waiting thread, report when it moved.

Run as ``python -m bench.resume_probe THREAD`` with ``BATON_HOME`` set. It goes the way
``baton resume THREAD --approve all`` goes (settings, services, the compiled orchestrator
over the durable checkpointer, approve every pending call) and prints one JSON line with
the wall-clock time when its imports were done and when the first resumed node started.
"""

from __future__ import annotations

import time

STARTED = time.time()

import json  # noqa: E402
import sys  # noqa: E402

from langgraph.types import Command  # noqa: E402

import graphs.checkpointer  # noqa: E402
import graphs.orchestrator  # noqa: E402
import graphs.services  # noqa: E402, F401
from baton.runtime import config_for, open_runtime  # noqa: E402
from baton.settings import load_settings  # noqa: E402

IMPORTED = time.time()


def main(thread_id: str) -> None:
    """Resume ``thread_id`` approving everything; print the timestamps."""
    first: float | None = None
    with open_runtime(load_settings()) as rt:
        config = config_for(thread_id)
        pending = rt.graph.get_state(config).interrupts
        decisions = {item.id: {"type": "approve"} for item in pending}
        for _ in rt.graph.stream(
            Command(resume=decisions), config, stream_mode="tasks", durability="sync"
        ):
            first = first or time.time()
    print(json.dumps({"started": STARTED, "imported": IMPORTED, "first_node": first}))


if __name__ == "__main__":
    main(sys.argv[1])
