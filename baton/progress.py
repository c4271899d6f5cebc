"""Human progress lines from ``graph.stream(stream_mode=["updates", "tasks"], subgraphs=True)``.

Top-level updates give the route, plan, worker results, review verdicts and the ticket;
top-level task starts show which worker picked up which step. Inside a worker subgraph the
``updates`` stream carries only the subgraph's output keys, so tool results are read from
the ``tasks`` result events of its ``act`` and ``execute`` nodes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from baton.console import field, first_line, say

_TOOL_NODES = ("act", "execute")
_WORKER_MARK = {"ok": "✓", "failed": "✗", "budget_exhausted": "✗"}
_DECIDED = {"approve": "approved", "edit": "edited"}


class ProgressPrinter:
    """Turns stream events into one line per thing a person would want to see."""

    def __init__(
        self,
        workers: Collection[str],
        resumed_tasks: Collection[str] = (),
        approved_drafts: dict[str, int] | None = None,
        out: Callable[[str], None] = say,
    ) -> None:
        self._workers = set(workers)
        self._resumed = set(resumed_tasks)
        self._approved = dict(approved_drafts or {})
        self._steps: dict[str, tuple[str, str]] = {}
        self._out = out

    def handle(self, namespace: tuple[str, ...], mode: str, data: Any) -> None:
        """Print what one ``(namespace, mode, data)`` stream item means."""
        if not namespace and mode == "tasks" and "input" in data:
            self._task_started(data)
        elif not namespace and mode == "updates":
            for node, update in data.items():
                self._node_update(node, update)
        elif namespace and mode == "tasks" and data.get("name") in _TOOL_NODES:
            self._tool_results(namespace[0], data.get("result"))

    def _task_started(self, task: dict[str, Any]) -> None:
        if task["name"] not in self._workers or not isinstance(task.get("input"), dict):
            return
        step = task["input"].get("step")
        step_id, worker = str(field(step, "id", "?")), task["name"]
        self._steps[task["id"]] = (step_id, worker)
        label = " resumes" if task["id"] in self._resumed else ""
        revision = task["input"].get("revision") or 0
        note = f" (revision {revision})" if revision else ""
        instruction = first_line(str(field(step, "instruction", "")), 100)
        self._out(f"→ {step_id} {worker}{note}{label}: {instruction}")

    def _node_update(self, node: str, update: Any) -> None:
        if node == "__interrupt__":
            for item in update or ():
                value = item.value if isinstance(item.value, dict) else {}
                self._out(
                    f"⏸ {value.get('step')} {value.get('worker')} · {value.get('name')} "
                    "waits for approval"
                )
            return
        if not isinstance(update, dict):
            return
        if node == "triage" and update.get("route") is not None:
            route = update["route"]
            self._out(f"route: {field(route, 'route')} — {field(route, 'reason')}")
        if "plan" in update:
            self._plan(update)
        if node in self._workers or node == "collect":
            for result in (update.get("results") or {}).values():
                self._result(result)
        for verdict in update.get("review_verdicts") or ():
            self._verdict(verdict)
        for step_id, revision in (update.get("approved_drafts") or {}).items():
            if self._approved.get(step_id) != revision:  # collect repeats earlier approvals
                self._approved[step_id] = revision
                self._out(f"✓ draft {step_id} passed review")
        if "ticket_fields" in update:
            fields = update["ticket_fields"]
            self._out(f"ticket: {field(fields, 'product')}, severity {field(fields, 'severity')}")
        if update.get("ticket_id") is not None:
            self._out(f"✓ ticket #{update['ticket_id']} filed")

    def _plan(self, update: dict[str, Any]) -> None:
        steps = update.get("plan") or []
        iteration = update.get("plan_iterations")
        head = f"plan (iteration {iteration})" if iteration else "plan"
        if not steps:
            self._out(f"{head}: done" if update.get("planner_done") else f"{head}: no new steps")
            return
        self._out(f"{head}:")
        for step in steps:
            deps = list(field(step, "depends_on") or [])
            after = f" (after {', '.join(deps)})" if deps else ""
            instruction = first_line(str(field(step, "instruction", "")), 100)
            self._out(f"  {field(step, 'id')} {field(step, 'worker')}: {instruction}{after}")

    def _result(self, result: Any) -> None:
        status = str(field(result, "status", "ok"))
        head = (
            f"{_WORKER_MARK.get(status, '•')} {field(result, 'step_id')} {field(result, 'worker')}"
        )
        if status == "ok":
            self._out(f"{head}: {first_line(str(field(result, 'output') or ''))}")
        else:
            reason = field(result, "error") or field(result, "output") or ""
            self._out(f"{head} {status.replace('_', ' ')}: {first_line(str(reason))}")

    def _verdict(self, verdict: Any) -> None:
        head = f"review {field(verdict, 'step_id')} · {field(verdict, 'rule')}"
        if field(verdict, "passed"):
            self._out(f"{head}: passed")
        else:
            self._out(f"{head}: failed — {'; '.join(field(verdict, 'reasons') or [])}")

    def _tool_results(self, task_path: str, result: Any) -> None:
        if not isinstance(result, dict):
            return
        worker, _, task_id = task_path.partition(":")
        step_id, worker = self._steps.get(task_id, ("?", worker))
        effects = {e.get("tool"): e for e in result.get("effects") or () if isinstance(e, dict)}
        for message in result.get("messages") or ():
            if getattr(message, "type", None) != "tool":
                continue
            name = getattr(message, "name", None) or "tool"
            head = f"  {step_id} {worker} · {name}"
            if getattr(message, "status", "success") == "error":
                self._out(f"{head} error: {first_line(str(message.content))}")
                continue
            effect = effects.get(name) or {}
            notes = [_DECIDED.get(effect.get("decision", ""), "")]
            notes.append("replayed from the ledger" if effect.get("replayed") else "")
            note = ", ".join(n for n in notes if n)
            self._out(f"{head} ok" + (f" ({note})" if note else ""))
