"""The effect ledger: runs each tool call at most once, and each fact in the world once.

Why ours: LangGraph checkpoints after a node finishes, so a crash mid-node re-runs the
whole node on resume, and nothing in LangGraph stops a refund or an email inside it from
happening twice. The ledger records each call under a key derived from the thread and the
model's tool-call id, before and after the side effect; the backends dedupe on the same
key, which covers a crash between the effect and the ledger's "done" record.

A key is per call, so two threads (or a thread and its fork) asking for the same refund
have two keys. A tool therefore also declares its ``Fact`` (``tools.spec``): the ledger
claims the fact in the same transaction that records the call as started, and a call whose
fact another key already holds is not run; it reports what happened instead (which thread,
when, with what result). The ledger's rows and every statement on them are in
``persistence.ledger`` (the store) and ``persistence.ledger_sql`` (its SQL on either engine).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from persistence.database import Database
from persistence.leases import current_fence
from persistence.ledger import EffectCall, LedgerStore, Replayed
from persistence.ledger_sql import LedgerSql
from tools.effect_records import LedgerOutcome, describe_prior, idempotency_key
from tools.faults import crash_point
from tools.spec import AlreadyDone, FactInProgress, ToolCallContext, ToolRejected, ToolSpec

FACT_WAIT_S = 5.0
"""How long a call waits for another call holding its fact to finish, before giving up."""
__all__ = ["FACT_WAIT_S", "EffectLedger", "LedgerOutcome", "describe_prior", "idempotency_key"]


class EffectLedger:
    """Exactly-once bookkeeping for tool calls, kept in the ledger's store; safe across threads.

    The rows live in ``persistence.ledger_sql`` (Baton's SQLite file, or PostgreSQL when
    selected), which opens a connection per operation, so one ledger can be shared by
    parallel workers. With ``readonly=True`` nothing is created or migrated (inspecting a
    read-only home).
    """

    def __init__(
        self, path: Path, *, readonly: bool = False, database: Database | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.store: LedgerStore = LedgerSql(path, readonly=readonly, database=database)

    def execute(self, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext) -> LedgerOutcome:
        """Run ``spec`` once for ``ctx.idempotency_key``; replay the result if already done.

        A call whose fact another key holds raises ``AlreadyDone`` (that key is done) or,
        after waiting up to ``FACT_WAIT_S`` for it to finish, ``FactInProgress``. A
        ``ToolRejected`` is recorded as 'failed' (releasing the fact) and re-raised, with
        the threads filled in on an ``AlreadyDone``'s earlier effects. Any other error
        leaves the row 'started' (the effect may or may not have happened) and a retry
        goes back to the backend, which dedupes on the key.
        """
        key = ctx.idempotency_key
        fact = spec.fact.key(args) if spec.fact is not None else None
        deadline = time.monotonic() + FACT_WAIT_S
        while True:
            claim = self._claim(spec, args, ctx, fact)
            if isinstance(claim, LedgerOutcome):
                return claim
            if claim is None:
                break
            if claim["status"] == "done":
                raise AlreadyDone(f"{fact} was already done by {describe_prior(claim)}", [claim])
            if time.monotonic() >= deadline:
                raise FactInProgress(
                    f"{fact} is being carried out by thread {claim['thread_id']} since "
                    f"{claim['at']}, and its outcome is not recorded yet; decide again once "
                    "that thread has finished or been resumed"
                )
            time.sleep(0.05)
        crash_point(f"effect:{spec.name}:before_backend")
        try:
            result = spec.run(args, ctx)
        except AlreadyDone as exc:
            self.attribute(exc.prior)
            self.store.finish(key, "failed", error=str(exc))
            raise
        except ToolRejected as exc:
            self.store.finish(key, "failed", error=str(exc))
            raise
        except Exception as exc:
            self.store.finish(key, "started", error=f"{type(exc).__name__}: {exc}")
            raise
        crash_point(f"effect:{spec.name}:after_backend")
        # Handed back as recorded (JSON-decoded), so this run and every replay return the
        # same value, even if a concurrent run of the same key recorded first.
        recorded = self.store.finish(key, "done", result_json=json.dumps(result, default=str))
        crash_point(f"effect:{spec.name}:after_ledger")
        return LedgerOutcome(json.loads(recorded or "null"), replayed=False)

    def _claim(
        self, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext, fact: str | None
    ) -> LedgerOutcome | dict[str, Any] | None:
        """Record the call as started and claim its fact, in one transaction of the store.

        Under a thread lease (``persistence.leases``) the same transaction checks the
        lease's fencing token first: a holder whose lease was taken over gets
        ``FencedOut`` and nothing is recorded or run.

        Returns the recorded outcome of a done key, the earlier effect holding the fact, or
        None when the call may run.
        """
        call = EffectCall(
            key=ctx.idempotency_key,
            thread_id=ctx.thread_id,
            step_id=ctx.step_id,
            worker=ctx.worker,
            tool=spec.name,
            args_json=args.model_dump_json(),
            fact=fact,
        )
        claim = self.store.claim(call, current_fence.get())
        if isinstance(claim, Replayed):
            return LedgerOutcome(claim.result, replayed=True)
        return claim

    def fact_holder(self, spec: ToolSpec, args: BaseModel, key: str) -> dict[str, Any] | None:
        """The earlier call (another key) that did or is doing this call's fact, if any."""
        if spec.fact is None:
            return None
        return self.store.holder(spec.fact.key(args), key)

    def attribute(self, prior: list[dict[str, Any]]) -> None:
        """Name the thread of each earlier effect a backend reported by its key."""
        keys = [p["key"] for p in prior if p.get("key") and not p.get("thread_id")]
        if not keys:
            return
        found = self.store.threads_of(keys)
        for entry in prior:
            if entry.get("key") in found:
                entry["thread_id"] = found[entry["key"]]

    def outcome_unknown(self, key: str) -> bool:
        """An attempt started and nothing came back: no result, no error (the process died)."""
        return self.store.outcome_unknown(key)

    def record_reconciled(self, key: str, result: Any) -> Any:
        """Record a human's "it happened" for an attempt of unknown outcome; return the result."""
        recorded = self.store.finish(key, "done", result_json=json.dumps(result, default=str))
        return json.loads(recorded or "null")

    def effects_for(self, thread_id: str) -> list[dict[str, Any]]:
        """Every recorded call of a thread, oldest first, with args and result decoded."""
        return self.store.effects_for(thread_id)
