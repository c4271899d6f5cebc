"""The bench's outputs: a short table on stdout and ``bench/results/latest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def table(results: dict[str, Any], verdicts: list[dict[str, Any]]) -> str:
    """The measured ratios and the target verdicts as plain text."""
    lines = ["workload                                   durable      baseline     ratio"]
    for row in results.get("superstep", []):
        lines.append(
            f"superstep, {row['latency_ms']:>3.0f} ms stub (ms/step)        "
            f"{row['durable_ms_per_step']:>9.3f}    {row['raw_ms_per_step']:>9.3f}    "
            f"{row['ratio']:>6.2f}x  (in-memory saver {row['in_memory_saver_ratio']:.2f}x"
            + (
                f", stock saver {row['stock_saver_ratio']:.2f}x)"
                if "stock_saver_ratio" in row
                else ")"
            )
        )
    for row in results.get("orchestrator", []):
        lines.append(
            f"orchestrator, {row['latency_ms']:>3.0f} ms model (ms/step)     "
            f"{row['durable_ms_per_superstep']:>9.3f}    {row['raw_ms_per_superstep']:>9.3f}    "
            f"{row['ratio']:>6.2f}x  ({row['checkpoints_per_run']} supersteps/run"
            + (
                f", in-memory saver {row['in_memory_saver_ratio']:.2f}x)"
                if "in_memory_saver_ratio" in row
                else ")"
            )
        )
    for row in results.get("fanout", []):
        lines.append(
            f"fan-out N={row['workers']:<5} x 100 ms (s)              "
            f"{row['durable_s']:>9.3f}    {row['raw_s']:>9.3f}    {row['ratio']:>6.2f}x"
            f"  (in-memory saver {row['in_memory_saver_ratio']:.2f}x, "
            f"stock saver {row['stock_saver_ratio']:.2f}x)"
        )
    if conc := results.get("concurrency"):
        lines.append(
            f"{conc['threads']} threads x {conc['steps']} x {conc['latency_ms']:.0f} ms (steps/s)"
            f"      {conc['durable_steps_per_s']:>9.1f}    {conc['raw_steps_per_s']:>9.1f}    "
            f"{conc['fraction']:>6.2f}  (in-memory saver {conc['in_memory_saver_fraction']:.2f}, "
            f"stock saver {conc['stock_saver_fraction']:.2f})"
        )
        if (rounds := conc.get("commit_rounds_on_loop_ms")) and rounds.get("rounds"):
            lines.append(
                f"  commit rounds on the loop (ms, median/p90/p99/max)   {rounds['median_ms']:.2f}/"
                f"{rounds['p90_ms']:.2f}/{rounds['p99_ms']:.2f}/{rounds['max_ms']:.2f}"
                f" ({rounds['rounds']} rounds)"
            )
        if lag := conc.get("loop_lag_ms"):
            durable, memory = lag["durable"], lag["in_memory_saver"]
            lines.append(
                f"  event-loop lag (ms, median/p99/max)      durable {durable['median_ms']:.2f}/"
                f"{durable['p99_ms']:.1f}/{durable['max_ms']:.1f}, in-memory saver "
                f"{memory['median_ms']:.2f}/{memory['p99_ms']:.1f}/{memory['max_ms']:.1f}"
            )
    if pg := results.get("postgres"):
        lines.extend(postgres_lines(pg))
    if growth := results.get("growth"):
        lines.append(
            f"growth {growth['steps']} x 1 KB (bytes stored)        "
            f"{growth['checkpoint_bytes']:>9}    {growth['raw_message_bytes']:>9}    "
            f"{growth['checkpoint_bytes'] / growth['raw_message_bytes']:>6.2f}x"
        )
    if startup := results.get("startup"):
        help_s, resume = startup["help"], startup["resume"]
        lines.append(f"baton --help (s)                           {help_s['median_s']:>9.3f}")
        if listing := startup.get("threads"):
            lines.append(
                f"baton threads, {listing['threads']} threads (s)              "
                f"{listing['median_s']:>9.3f}"
            )
        lines.append(
            f"resume: start to first node (s)            "
            f"{resume['process_start_to_first_node_s']:>9.3f}"
        )
        lines.append(
            f"resume: after imports (s)                  {resume['after_imports_s']:>9.3f}"
        )
    if serve := results.get("serve"):
        lines.extend(_serve_lines(serve))
    if replicas := results.get("replicas"):
        from bench.replicas import table_lines

        lines.extend(table_lines(replicas))
    lines.append("")
    for verdict in verdicts:
        value = verdict["value"]
        shown = "-" if value is None else f"{value:.4g}"
        lines.append(f"{verdict['verdict']:<5} {verdict['target']:<50} measured {shown}")
    return "\n".join(lines)


def _serve_lines(serve: dict[str, Any]) -> list[str]:
    """Seconds for the approval flows on each side, and time to the first SSE event."""
    flows = serve["flows"]
    lines = [f"approval flows x {flows} (s)         in process   baton serve   langgraph dev"]
    for mode in ("sequential", "concurrent"):
        ratio = serve.get(f"{mode}_ratio")
        shown = f"   (serve/in process {ratio:.2f}x)" if ratio is not None else ""
        lines.append(
            f"  {mode:<10}                          {serve['in_process'][f'{mode}_s']:>9.2f}"
            f"   {serve['serve'][f'{mode}_s']:>11.2f}   {serve['dev'][f'{mode}_s']:>13.2f}{shown}"
        )
    first = {side: serve[side].get("first_event_ms", {}) for side in ("serve", "dev")}
    lines.append(
        "  first SSE event (ms, median/max)                  "
        f"{first['serve'].get('median', 0):.1f}/{first['serve'].get('max', 0):.1f}"
        f"   {first['dev'].get('median', 0):.1f}/{first['dev'].get('max', 0):.1f}"
    )
    return lines


def postgres_lines(pg: dict[str, Any]) -> list[str]:
    """The PostgreSQL rows: Baton's saver, the stock one and none, side by side."""
    rows = [("orchestrator, 0 ms model (ms/run)", pg["orchestrator"], 1000.0)]
    rows += [(f"fan-out N={f['workers']} x 100 ms (s)", f, 1.0) for f in pg["fanout"]]
    lines = [f"PostgreSQL {pg['server_version']}   Baton        stock        none     Baton/stock"]
    for name, row, scale in rows:
        lines.append(
            f"  {name:<34} {row['baton_s'] * scale:>9.3f} {row['stock_s'] * scale:>9.3f} "
            f"{row['raw_s'] * scale:>9.3f}   {row['baton_vs_stock']:>5.2f}x  "
            f"(ratio {row['ratio']:.2f}x, stock {row['stock_ratio']:.2f}x)"
        )
    conc = pg["concurrency"]
    total = conc["threads"] * conc["steps"]
    lines.append(
        f"  {conc['threads']} threads x {conc['steps']} x {conc['latency_ms']:.0f} ms (steps/s)"
        f"       {total / conc['baton_s']:>9.1f} {total / conc['stock_s']:>9.1f} "
        f"{total / conc['raw_s']:>9.1f}   {conc['baton_vs_stock']:>5.2f}x  "
        f"(fraction {conc['fraction']:.2f}, stock {conc['stock_fraction']:.2f})"
    )
    return lines


def write_json(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
