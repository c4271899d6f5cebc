"""The worker registry: every module in this package registers one specialist.

Adding a worker is one new module here calling ``register(WorkerSpec(...))``; the
planner's schema, the fan-out and ``langgraph.json``'s worker graphs pick it up.
"""

from agents.workers.registry import WorkerSpec, all_workers, get_worker, register, unregister

__all__ = ["WorkerSpec", "all_workers", "get_worker", "register", "unregister"]
