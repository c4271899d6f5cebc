"""``python -m bench [--quick] [--only NAME ...]``: run the workloads, print, write JSON."""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    concurrency,
    fanout,
    growth,
    orchestrator,
    postgres,
    replicas,
    serve,
    startup,
    superstep,
)
from bench.machine import machine_info
from bench.report import table, write_json
from bench.targets import check_all

WORKLOADS = (
    "superstep",
    "orchestrator",
    "fanout",
    "concurrency",
    "postgres",
    "growth",
    "startup",
    "serve",
    "replicas",
)
RESULTS = Path(__file__).with_name("results") / "latest.json"


def _run(name: str, workdir: Path, quick: bool) -> Any:
    reps = 3 if quick else 7
    if name == "superstep":
        steps = 20 if quick else 50
        return [
            superstep.run(
                workdir, steps=steps, latency_s=latency, repeats=reps, with_stock=not latency
            )
            for latency in (0.0, 0.05 if not quick else 0.01)
        ]
    if name == "orchestrator":
        return [
            orchestrator.run(workdir, latency_s=latency, repeats=reps)
            for latency in (0.0, 0.05 if not quick else 0.01)
        ]
    if name == "fanout":
        return asyncio.run(fanout.run(workdir, sizes=[10, 100, 1000], repeats=2 if quick else 5))
    if name == "concurrency":
        coro = concurrency.run(
            workdir, threads=200, steps=5, latency_s=0.05, repeats=2 if quick else 5
        )
        return asyncio.run(coro)
    if name == "postgres":
        return asyncio.run(postgres.run(workdir, repeats=2 if quick else 5, sizes=[100, 1000]))
    if name == "growth":
        return growth.run(workdir, steps=200)
    if name == "serve":
        return serve.run(workdir, flows=5 if quick else 20)
    if name == "replicas":
        return replicas.run(workdir, flows=6 if quick else 12, repeats=3 if quick else 5)
    return {
        "help": startup.help_seconds(reps),
        "threads": startup.threads_seconds(workdir, reps),
        "resume": startup.resume_seconds(workdir, reps),
    }


def main() -> None:
    """Parse the options, run each workload with its baseline, report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--only", nargs="+", choices=WORKLOADS, help="run only these workloads")
    parser.add_argument("--out", type=Path, default=RESULTS, help="result file (JSON)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of timing, profile the superstep and concurrency runs side by side",
    )
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.profile:
        from bench.profiles import write_profiles

        with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
            for path in write_profiles(Path(tmp), args.out.parent):
                print(f"wrote {path}")
        return
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="baton-bench-") as tmp:
        for name in args.only or WORKLOADS:
            start = time.perf_counter()
            results[name] = _run(name, Path(tmp), args.quick)
            timings[name] = time.perf_counter() - start
            print(f"ran {name} in {timings[name]:.1f} s", flush=True)
    verdicts = check_all(results)
    print(table(results, verdicts))
    document = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine_info(),
        "results": results,
        "targets": verdicts,
        "workload_seconds": timings,
    }
    write_json(args.out, document)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
