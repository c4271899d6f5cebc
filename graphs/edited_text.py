"""Text a human edits goes through the review rules, and the approver sees the verdicts.

A writer's draft is reviewed before its approval is asked; an edit to the email in the
approval would otherwise skip every rule. So an edit of a tool that sends customer text
(``ToolSpec.as_draft``) is not run at once: the edited call becomes the proposal, with each
rule's verdict attached, and is asked again. A text that fails a rule cannot be approved
(edit it again, or reject); one that passes runs, when approved, with the edited arguments.
"""

from __future__ import annotations

from typing import Any

from agents.review import review_all
from state.actions import (
    ApproveDecision,
    EditDecision,
    EditedAction,
    ProposedAction,
    RejectDecision,
    args_hash,
)
from tools.spec import ToolSpec
from tools.world import World

Decision = ApproveDecision | EditDecision | RejectDecision


class ReviewFailed(ValueError):
    """Approving an edited text that fails review."""


def reviewed_edit(
    spec: ToolSpec, proposal: ProposedAction, decision: Decision, world: World
) -> ProposedAction | None:
    """The edited call as the next proposal, with verdicts; None if no text review applies."""
    if spec.as_draft is None or not isinstance(decision, EditDecision):
        return None
    edited = dict(decision.edited_action.args)
    if edited == proposal.args:  # nothing was changed: no new text to review
        return None
    draft = spec.as_draft(spec.validate_args(edited))
    if draft is None:
        verdicts: list[dict[str, Any]] = [
            {
                "rule": "recipient",
                "passed": False,
                "reasons": [f"{edited.get('to')} is no customer on file; nobody to review for"],
            }
        ]
    else:
        verdicts = review_all(draft, world)
    failed = [f"{v['rule']}: {r}" for v in verdicts for r in v["reasons"]]
    note = "review: " + ("; ".join(failed) if failed else "every rule passed")
    return proposal.model_copy(
        update={
            "args": edited,
            "args_hash": args_hash(proposal.name, edited),
            "description": f"Edited by {decision.decider or 'a human'}; {note}",
            "review": verdicts,
            "error": None,
        }
    )


def gated(decision: Decision, proposal: ProposedAction, original: dict[str, Any]) -> Decision:
    """The decision to carry out: an approval of reviewed, edited text runs the edit.

    Raises ``ReviewFailed`` for an approval of an edited text that failed a rule.
    """
    if not isinstance(decision, ApproveDecision) or proposal.review is None:
        return decision
    failed = [f"{v['rule']}: {r}" for v in proposal.review for r in v.get("reasons", [])]
    if failed:
        raise ReviewFailed(
            "the edited text fails review (" + "; ".join(failed) + "); edit it again or reject"
        )
    if proposal.args == original:
        return decision
    return EditDecision(
        type="edit",
        edited_action=EditedAction(name=proposal.name, args=proposal.args),
        args_hash=proposal.args_hash,
        decider=decision.decider,
    )
