"""Baton's benchmark suite: what durable checkpoints cost next to raw LangGraph.

Each workload runs side by side with its baseline in the same process run and reports a
ratio, because absolute times drift on shared machines and ratios do not. Models and tools
are replaced by stubs with a fixed latency; everything else (Baton's saver, its pragmas,
LangGraph) is the real code. ``python -m bench`` runs it; ``make bench`` is the same.
"""
