"""The eval's table (and its JSON document)."""

from __future__ import annotations

from typing import Any

from evals.score import STAGES


def document(
    provider: str, accuracy: dict[str, Any], costs: dict[str, Any], cases: list[dict[str, Any]]
) -> dict[str, Any]:
    """Everything the eval measured, as one JSON-ready document."""
    return {"provider": provider, "accuracy": accuracy, "costs": costs, "cases": cases}


def table(doc: dict[str, Any]) -> str:
    """The figures as Markdown tables: accuracy per stage, then costs and tokens per tier."""
    lines = [
        f"provider: {doc['provider']}, {len(doc['cases'])} cases",
        "",
        "| stage | cases | right | accuracy |",
        "| --- | ---: | ---: | ---: |",
    ]
    for stage in STAGES:
        row = doc["accuracy"][stage]
        lines.append(f"| {stage} | {row['cases']} | {row['right']} | {row['accuracy']:.0%} |")
    costs = doc["costs"]
    latency = costs["latency_s"]
    lines += [
        "",
        "| retries | escalations | schema failures | crashes | server deaths "
        "| latency mean / p50 / max (s) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {costs['retries']} | {costs['escalations']} | {costs['schema_failures']} | "
        f"{costs['crashes']} | {costs.get('server_deaths', 0)} | "
        f"{latency['mean']:.2f} / {latency['p50']:.2f} / "
        f"{latency['max']:.2f} |",
        "",
        "| tier | model calls | input tokens | output tokens | model time (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for tier, row in costs["tiers"].items():
        lines.append(
            f"| {tier} | {row.get('calls', 0)} | {row.get('input_tokens', 0)} | "
            f"{row.get('output_tokens', 0)} | {row.get('latency_ms', 0) / 1000:.1f} |"
        )
    wrong = [c for c in doc["cases"] if c["why"]]
    if wrong:
        lines += ["", "misses:"]
        for case in wrong:
            reasons = "; ".join(f"{stage}: {why}" for stage, why in case["why"].items())
            lines.append(f"- {case['id']}: {reasons}")
    return "\n".join(lines)
