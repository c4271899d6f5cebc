"""How a run (or a resumed run) ends: status, answer, pending approvals, exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baton import exit_codes
from baton.console import print_json, say
from baton.pending import pending_approvals, print_pending, refresh_live, resume_command
from baton.runtime import Runtime, config_for


@dataclass(frozen=True)
class Outcome:
    """Where a thread stands after the CLI drove it as far as it goes."""

    thread_id: str
    status: str
    """done, unresolved, failed, budget_exhausted or waiting."""
    final_answer: str | None = None
    error: str | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    run_id: str | None = None
    """The run that got it here, when the CLI just drove it (``baton delete --run`` undoes it)."""

    @property
    def exit_code(self) -> int:
        """0 done, 3 waiting, 4 unresolved, 1 otherwise."""
        if self.status == "done":
            return exit_codes.DONE
        if self.status == "unresolved":
            return exit_codes.UNRESOLVED
        return exit_codes.WAITING if self.status == "waiting" else exit_codes.FAILED

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "thread_id": self.thread_id,
            "run_id": self.run_id,
            "status": self.status,
            "final_answer": self.final_answer,
            "error": self.error,
            "pending": self.pending,
            "resume_command": resume_command(self.thread_id) if self.pending else None,
        }


def read_outcome(rt: Runtime, thread_id: str, stopped: str | None = None) -> Outcome:
    """Read the thread's state; ``stopped`` says why the stream ended early, if it did."""
    snapshot = rt.graph.get_state(config_for(thread_id), subgraphs=True)
    values = snapshot.values or {}
    pending = pending_approvals(snapshot)
    refresh_live(pending, rt.services, thread_id, str(values.get("request") or ""))
    if pending:
        return Outcome(thread_id, "waiting", values.get("final_answer"), None, pending)
    status = values.get("status")
    if snapshot.next or status not in ("done", "unresolved", "failed", "budget_exhausted"):
        reason = stopped or "the run stopped before it finished"
        return Outcome(
            thread_id,
            "failed",
            values.get("final_answer"),
            f"{reason}; `baton resume {thread_id}` continues it",
        )
    return Outcome(thread_id, str(status), values.get("final_answer"), values.get("error"))


def report(outcome: Outcome, as_json: bool) -> int:
    """Print the ending (human or JSON) and return the exit code."""
    if as_json:
        print_json(outcome.as_json())
        return outcome.exit_code
    if outcome.run_id:
        say(f"run: {outcome.run_id}")
    if outcome.status == "waiting":
        say(f"status: waiting for approval ({len(outcome.pending)} pending)")
        print_pending(outcome.pending, outcome.thread_id)
        return outcome.exit_code
    say(f"status: {outcome.status}")
    if outcome.error:
        say(f"error: {outcome.error}")
    if outcome.final_answer:
        say("")
        say(outcome.final_answer)
    return outcome.exit_code
