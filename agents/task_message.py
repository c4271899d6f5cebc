"""The text a worker is given: its step, the results it depends on, reviewer feedback.

The labels (``Request:``, ``Worker:``, ``Draft:``, ...) are part of the contract with the
offline stand-in model, which reads them; real models read them as plain text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from state.plan import Step
from state.results import WorkerResult


def render_context(step: Step, results: Mapping[str, WorkerResult]) -> str:
    """The results of the steps ``step`` depends on, one block each."""
    blocks = []
    for dep in step.depends_on:
        result = results.get(dep)
        if result is None:
            continue
        block = f"### {dep} ({result.worker})\n{result.output}"
        if result.draft is not None:
            block += f"\nDraft: {json.dumps(result.draft.model_dump(), ensure_ascii=False)}"
        if result.citations:
            block += f"\nSources: {', '.join(result.citations)}"
        blocks.append(block)
    return "\n".join(blocks)


def task_text(
    request: str,
    step: Step,
    context: str,
    feedback: Sequence[str],
    revision: int,
    history: str = "",
    done: Sequence[dict[str, Any]] = (),
) -> str:
    """The human message that opens a worker's conversation (earlier turns last).

    ``done``: irreversible effects an earlier run of this step already made, one ``Done:``
    line each (JSON with tool, args, result), so the step goes on without repeating them.
    """
    lines = [
        f"Request: {request}",
        f"Worker: {step.worker}",
        f"Step: {step.id}",
        f"Instruction: {step.instruction}",
    ]
    if revision:
        lines.append(f"Revision: {revision}")
    if feedback:
        lines.append("Feedback:\n" + "\n".join(f"- {reason}" for reason in feedback))
    if context:
        lines.append(f"Context:\n{context}")
    for effect in done:
        summary = {k: effect.get(k) for k in ("tool", "args", "result")}
        lines.append(f"Done: {json.dumps(summary, ensure_ascii=False, default=str)}")
    if done:
        lines.append("(Done already in this step: do not repeat those calls.)")
    if history:
        lines.append(f"Conversation so far:\n{history}")
    return "\n".join(lines)
