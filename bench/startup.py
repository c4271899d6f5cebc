"""Start-up: ``baton --help``, ``baton threads``, and resuming a waiting thread.

Both run as real subprocesses. The waiting thread is the sample double-charge request run
once with the offline stand-in model (``baton run``, exit 3); each repetition resumes a
fresh copy of that home, so every probe finds the same waiting thread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.timing import median_seconds
from tools.world import World

WAITING_REQUEST = (
    "Customer 1042 was charged twice for order 5531. Please refund the duplicate charge "
    "and let them know by email."
)
_BATON = [sys.executable, "-c", "import sys; from baton.cli import main; sys.exit(main())"]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BATON_", "OPENAI_"))}
    return {**env, "BATON_HOME": str(home), "LANGSMITH_TRACING": "false"}


def help_seconds(repeats: int) -> dict[str, Any]:
    """Wall time of ``baton --help`` (the installed console script), median and best."""
    script = Path(sys.executable).with_name("baton")
    command = [str(script)] if script.exists() else _BATON
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return {"median_s": median_seconds(samples), "best_s": min(samples)}


def resume_seconds(workdir: Path, repeats: int) -> dict[str, Any]:
    """Process start to first resumed node, and the same counted from after the imports."""
    prepared = workdir / "resume-home"
    World(prepared).init()
    run = subprocess.run(
        [*_BATON, "run", WAITING_REQUEST, "--thread", "waiting", "--json"],
        env=_env(prepared),
        capture_output=True,
        text=True,
    )
    if run.returncode != 3:
        raise RuntimeError(f"preparing the waiting thread exited {run.returncode}: {run.stderr}")
    total: list[float] = []
    after_imports: list[float] = []
    for i in range(repeats):
        home = workdir / f"resume-{i}"
        shutil.copytree(prepared, home)
        launched = time.time()
        probe = subprocess.run(
            [sys.executable, "-m", "bench.resume_probe", "waiting"],
            env=_env(home),
            capture_output=True,
            text=True,
            check=True,
        )
        stamps = json.loads(probe.stdout.strip().splitlines()[-1])
        total.append(stamps["first_node"] - launched)
        after_imports.append(stamps["first_node"] - stamps["imported"])
    return {
        "process_start_to_first_node_s": median_seconds(total),
        "after_imports_s": median_seconds(after_imports),
    }


SMALL_HOME_REQUESTS = (
    WAITING_REQUEST,
    "Bug report from customer 1077: the mobile app crashes when I tap Export on the dashboard.",
    "How long does a refund for a duplicate charge take to reach the customer?",
)


def threads_seconds(workdir: Path, repeats: int) -> dict[str, Any]:
    """Wall time of ``baton threads`` (the console script) on a small home: three threads.

    One waits for an approval, one filed a ticket, one answered a question: every status
    the listing reads.
    """
    home = workdir / "threads-home"
    World(home).init()
    for index, request in enumerate(SMALL_HOME_REQUESTS):
        subprocess.run(
            [*_BATON, "run", request, "--thread", f"t{index}", "--json"],
            env=_env(home),
            capture_output=True,
            check=False,  # the first waits for approval (exit 3)
        )
    script = Path(sys.executable).with_name("baton")
    command = [str(script)] if script.exists() else _BATON
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        listed = subprocess.run(
            [*command, "threads", "--json"], env=_env(home), capture_output=True, check=True
        )
        samples.append(time.perf_counter() - start)
    threads = len(json.loads(listed.stdout))
    return {"median_s": median_seconds(samples), "best_s": min(samples), "threads": threads}
