"""``python -m evals [--provider P] [--json] [--only ID,...] [--limit N] [--cases FILE]``."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.cases import CASES_FILE, Case, load_cases
from evals.providers import PROVIDERS, Provider, ProviderUnavailable, provider_tiers
from evals.report import document, table
from evals.runner import run_case
from evals.score import accuracy, costs, score


def run_eval(provider: Provider, cases: list[Case], workdir: Path) -> dict[str, Any]:
    """Run ``cases`` on ``provider``, each in its own home under ``workdir``; the document."""
    observed = []
    rows = []
    server_deaths = 0
    with provider_tiers(provider) as provided:
        for case in cases:
            up = provided.alive()
            run = run_case(case, provided.tiers, workdir / case.id)
            died = up and not provided.alive()  # this case's requests took the server down
            server_deaths += died
            scored = score(case, run)
            observed.append(run)
            rows.append(
                {
                    "id": case.id,
                    "family": case.family,
                    "status": run.status,
                    "route": run.route,
                    "error": run.error,
                    "verdicts": scored.verdicts,
                    "why": scored.why,
                    "latency_s": round(run.latency_s, 3),
                    "server_died": died,
                }
            )
    scored_all = [score(c, o) for c, o in zip(cases, observed, strict=True)]
    return document(
        provider, accuracy(scored_all), {**costs(observed), "server_deaths": server_deaths}, rows
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--provider", choices=PROVIDERS, default="stand-in")
    parser.add_argument("--json", action="store_true", help="print the JSON document")
    parser.add_argument("--only", default="", help="comma-separated case ids, run in that order")
    parser.add_argument("--limit", type=int, default=0, help="the first N cases only")
    parser.add_argument("--cases", type=Path, default=CASES_FILE, help="a cases file")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the eval; exit 0 when it ran (whatever it scored), 2 on bad input."""
    args = _parser().parse_args(argv)
    try:
        cases = load_cases(args.cases)
    except (OSError, ValueError) as exc:
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {c.id for c in cases}
        if unknown:
            print(f"error: unknown case ids: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        by_id = {c.id: c for c in cases}
        cases = [by_id[i] for i in dict.fromkeys(args.only.split(","))]  # in the order given
    if args.limit < 0:
        print("error: --limit must be 0 or more", file=sys.stderr)
        return 2
    if args.limit:
        cases = cases[: args.limit]
    with tempfile.TemporaryDirectory(prefix="baton-eval-") as workdir:
        try:
            doc = run_eval(args.provider, cases, Path(workdir))
        except ProviderUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(doc, indent=2) if args.json else table(doc))
    return 0
