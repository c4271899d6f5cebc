"""Baton's eval: a labelled set of requests over the sample world, run on any provider.

``python -m evals --provider stand-in|local|openai`` runs every case of ``cases.json`` in a
fresh Baton home (the sample world as ``baton world init`` makes it), approves what the run
asks to approve, and scores each stage: the route, the plan, the tool arguments, and the
final outcome checked against the world's database (refunds, tickets, emails) and the
answer's citations. It prints accuracy per stage, retries, escalations, schema failures,
latency and tokens per tier, every figure computed from the runs' own trace.
"""
