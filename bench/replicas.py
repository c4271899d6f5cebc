"""``python -m bench.replicas``: ``baton serve`` replicas on one PostgreSQL database.

Also the ``replicas`` workload of ``python -m bench``. Two figures. Throughput: the same
approval flows (``bench.serve_flows``: run, approve the refund, approve the email) started
together and spread round-robin over one replica, then over three, each side on a fresh home
and a fresh database; every flow must end ``done`` with one refund per order. Recovery: a
replica that dies at a crash point inside a run (``BATON_CRASH_AT``: a SIGKILL after the
analyst's model call) while another replica runs beside it; the time from its death (its
port stops answering) until the run is recorded ``success`` by the other. The dead replica
is not reaped while the bench runs, so its pid stays visible as a holder on another machine
would be: the survivor frees the thread only when the dead replica's heartbeat is older than
``BATON_REPLICA_TIMEOUT_S``, so this figure is the cross-machine one (heartbeat timeout +
claim interval + the rest of the run); the same-host case, where a reaped pid frees the
lease at once, is faster. Every replica runs with the default settings. The database server
is ``BENCH_POSTGRES_URL`` (by default the local one with trust auth); each side creates its
own database and drops it; the workload is skipped, with the reason, when that server cannot
be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import psycopg
from langgraph_sdk import get_client
from psycopg import sql

from baton.service.errors import one_line
from bench.serve_flows import refunded, request_for, sdk_flow, seed_home
from bench.servers import baton_serve
from persistence.database import PostgresDatabase

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REPLICA_ENV: dict[str, str] = {}
"""What the replicas run with beyond the database: nothing (the default settings)."""
RECOVERY_TARGET_S = 5.0


@contextmanager
def _database() -> Iterator[str]:
    name = f"baton_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def _flows(urls: list[str], orders: list[int]) -> tuple[float, list[str]]:
    clients = [get_client(url=url) for url in urls]
    began = time.perf_counter()
    flows = await asyncio.gather(
        *(sdk_flow(clients[i % len(clients)], order) for i, order in enumerate(orders))
    )
    return time.perf_counter() - began, [flow.status for flow in flows]


def throughput(workdir: Path, replicas: int, flows: int) -> dict[str, Any]:
    """``flows`` flows at once over ``replicas`` replicas: seconds, flows/s, all done once.

    ``runs_taken_over`` counts runs started more than once: a live replica's run taken over
    by another (its heartbeat thought stale under load) would show here.
    """
    home = workdir / f"throughput-{replicas}" / "home"
    with _database() as url:
        orders = seed_home(home, flows + 1, url)
        env = {"BATON_DATABASE_URL": url, **REPLICA_ENV}
        with ExitStack() as stack:
            urls = [
                stack.enter_context(baton_serve(home, env, f"serve-{n}.log"))
                for n in range(replicas)
            ]
            asyncio.run(_flows(urls, orders[:1]))  # warm-up: first-call costs of every path
            seconds, statuses = asyncio.run(_flows(urls, orders[1:]))
        refunds = refunded(home, orders, url)
        with psycopg.connect(url) as conn:  # the replicas have stopped
            row = conn.execute("SELECT count(*) FROM service_runs WHERE attempt <> 1").fetchone()
    return {
        "replicas": replicas,
        "flows": flows,
        "seconds": seconds,
        "flows_per_s": flows / seconds,
        "done": statuses.count("done"),
        "refunds": refunds,
        "runs_taken_over": int(row[0]) if row else 0,
    }


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/ok", timeout=0.5):
            return True
    except OSError:
        return False


async def _recover_once(doomed: str, survivor: str, order: int) -> float:
    thread = (await get_client(url=doomed).threads.create())["thread_id"]
    turn: Any = {"messages": [{"type": "human", "content": request_for(order)}]}
    run = await get_client(url=doomed).runs.create(thread, "baton", input=turn)
    while await asyncio.to_thread(_answers, doomed):
        await asyncio.sleep(0.01)
    died = time.perf_counter()
    await get_client(url=survivor).runs.join(thread, run["run_id"])
    record = await get_client(url=survivor).runs.get(thread, run["run_id"])
    assert record["status"] == "success", record
    return time.perf_counter() - died


def recovery(workdir: Path, repeats: int) -> dict[str, Any]:
    """Seconds from a replica's death mid-run until another has finished the run."""
    seconds = []
    for n in range(repeats):
        home = workdir / f"recovery-{n}" / "home"
        with _database() as url, ExitStack() as stack:
            orders = seed_home(home, 1, url)
            env = {"BATON_DATABASE_URL": url, **REPLICA_ENV}
            survivor = stack.enter_context(baton_serve(home, env, "serve-survivor.log"))
            doomed_env = {**env, "BATON_CRASH_AT": "worker:analyst:after_model"}
            doomed = stack.enter_context(baton_serve(home, doomed_env, "serve-doomed.log"))
            seconds.append(asyncio.run(_recover_once(doomed, survivor, orders[0])))
    return {
        "repeats": repeats,
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "seconds": seconds,
    }


def unreachable() -> str | None:
    """Why the database server cannot be used (None when it answers)."""
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5):
            return None
    except psycopg.Error as exc:
        where = PostgresDatabase(ADMIN_URL).safe_url
        return f"PostgreSQL at {where} is unreachable ({one_line(str(exc))})"


def run(workdir: Path, flows: int, repeats: int) -> dict[str, Any]:
    """Both figures (``bench`` workload ``replicas``), or ``skipped`` with the reason."""
    reason = unreachable()
    if reason is not None:
        print(f"replicas: skipped: {reason}", flush=True)
        return {"skipped": reason}
    results: dict[str, Any] = {
        "one": throughput(workdir, 1, flows),
        "three": throughput(workdir, 3, flows),
        "recovery": recovery(workdir, repeats),
    }
    results["three_over_one"] = results["three"]["flows_per_s"] / results["one"]["flows_per_s"]
    return results


def table_lines(result: dict[str, Any]) -> list[str]:
    """The ``replicas`` rows of the bench's table."""
    if "skipped" in result:
        return [f"replicas: skipped: {result['skipped']}"]
    one, three, rec = result["one"], result["three"], result["recovery"]
    return [
        f"baton serve replicas, {one['flows']} flows (flows/s)  one {one['flows_per_s']:>7.2f}"
        f"   three {three['flows_per_s']:>7.2f}   ({result['three_over_one']:.2f}x, "
        f"{one['runs_taken_over'] + three['runs_taken_over']} runs taken over)",
        f"  recovery after SIGKILL, unreaped (s)    median {rec['median_s']:.2f}"
        f"   max {rec['max_s']:.2f}   ({rec['repeats']} runs)",
    ]


def main() -> None:
    """Run both figures and print them (and write them as JSON with ``--out``)."""
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--flows", type=int, default=12, help="flows at once per side")
    parser.add_argument("--repeats", type=int, default=3, help="SIGKILL recoveries")
    parser.add_argument("--out", type=Path, help="also write the figures here (JSON)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="baton-bench-replicas-") as tmp:
        results = run(Path(tmp), args.flows, args.repeats)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
