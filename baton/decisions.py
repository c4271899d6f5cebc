"""Turning ``--approve``, ``--reject`` and ``--edit`` into the decisions a resume sends.

Each decision carries the ``args_hash`` of the proposal it answers, so the graph refuses
it if the pending call is not the one the person saw.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import dataclass
from typing import Any

from baton.errors import BadInput
from baton.pending import RECONCILIATION

MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class DecisionRequest:
    """What the command line asks for, checked for shape but not yet against the thread."""

    approve_all: bool
    approve: tuple[str, ...]
    reject: tuple[tuple[str, str], ...]
    edit: tuple[tuple[str, dict[str, Any]], ...]
    sent: tuple[str, ...] = ()
    not_sent: tuple[str, ...] = ()

    @property
    def approvals(self) -> list[str]:
        """Interrupt ids named by --approve, --reject and --edit."""
        return [*self.approve, *(i for i, _ in self.reject), *(i for i, _ in self.edit)]

    @property
    def named(self) -> list[str]:
        """Every interrupt id named on the command line."""
        return [*self.approvals, *self.sent, *self.not_sent]

    @property
    def empty(self) -> bool:
        """No decision was asked for."""
        return not self.approve_all and not self.named


def _paired(
    ids: list[str] | None, values: list[str] | None, flag: str, value_flag: str
) -> list[tuple[str, str]]:
    ids, values = ids or [], values or []
    if len(ids) != len(values):
        raise BadInput(
            f"each {flag} needs its own {value_flag} "
            f"(got {len(ids)} {flag} and {len(values)} {value_flag})"
        )
    return list(zip(ids, values, strict=True))


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(f"--args is not a JSON object: {exc.msg} at char {exc.pos}") from None
    if not isinstance(value, dict):
        raise BadInput(f"--args is not a JSON object: got {type(value).__name__}")
    return value


def parse_request(
    approve: list[str] | None,
    reject: list[str] | None,
    reasons: list[str] | None,
    edit: list[str] | None,
    edit_args: list[str] | None,
    sent: list[str] | None = None,
    not_sent: list[str] | None = None,
) -> DecisionRequest:
    """Check pairing, reasons and JSON; nothing here needs the thread."""
    approve = approve or []
    rejects = _paired(reject, reasons, "--reject", "--reason")
    for _, reason in rejects:
        if not reason.strip() or len(reason) > MAX_REASON_CHARS:
            raise BadInput(f"--reason must be 1-{MAX_REASON_CHARS} characters")
    edits = [(i, _json_object(a)) for i, a in _paired(edit, edit_args, "--edit", "--args")]
    request = DecisionRequest(
        approve_all="all" in approve,
        approve=tuple(a for a in approve if a != "all"),
        reject=tuple((i, r.strip()) for i, r in rejects),
        edit=tuple(edits),
        sent=tuple(sent or ()),
        not_sent=tuple(not_sent or ()),
    )
    twice = sorted({i for i in request.named if request.named.count(i) > 1})
    if twice:
        raise BadInput(f"approval {twice[0]} is named more than once")
    return request


def build_decisions(
    request: DecisionRequest, pending: list[dict[str, Any]], tools: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The resume map ``{interrupt id: decision}``; unknown ids and bad edits are refused.

    ``--args`` keys replace the proposed arguments' keys; the merged arguments must fit
    the tool's schema.
    """
    from pydantic import ValidationError

    by_id = {item["id"]: item for item in pending}
    for interrupt_id in request.named:
        if interrupt_id not in by_id:
            known = ", ".join(by_id) or "none"
            raise BadInput(f"no pending approval with id {interrupt_id} (pending: {known})")
    questions = {i for i, item in by_id.items() if item.get("kind") == RECONCILIATION}
    for interrupt_id in request.approvals:
        if interrupt_id in questions:
            raise BadInput(
                f"{interrupt_id} asks whether an effect happened: use --sent or --not-sent"
            )
    for interrupt_id in (*request.sent, *request.not_sent):
        if interrupt_id not in questions:
            raise BadInput(f"{interrupt_id} is an approval: use --approve, --reject or --edit")
    decider = cli_decider()
    decisions: dict[str, dict[str, Any]] = {
        i: {"type": kind, "args_hash": by_id[i]["args_hash"], "decider": decider}
        for kind, ids in (("sent", request.sent), ("not_sent", request.not_sent))
        for i in ids
    }
    for interrupt_id, given in request.edit:
        item = by_id[interrupt_id]
        args = {**item["args"], **given}
        try:
            tools[item["tool"]].validate_args(args)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "args"
            raise BadInput(
                f"--args for {item['tool']} are invalid: {where}: {first['msg']}"
            ) from None
        decisions[interrupt_id] = {
            "type": "edit",
            "edited_action": {"name": item["tool"], "args": args},
            "args_hash": item["args_hash"],
            "decider": decider,
        }
    for interrupt_id, reason in request.reject:
        decisions[interrupt_id] = {
            "type": "reject",
            "message": reason,
            "args_hash": by_id[interrupt_id]["args_hash"],
            "decider": decider,
        }
    # `all` is a blanket: a requester who is not the owner needs the approval named by id.
    everything = [
        i
        for i, item in by_id.items()
        if i not in questions and not (item.get("live") or {}).get("identity")
    ]
    approved = everything if request.approve_all else list(request.approve)
    for interrupt_id in approved:
        if interrupt_id not in decisions:
            decisions[interrupt_id] = {
                "type": "approve",
                "args_hash": by_id[interrupt_id]["args_hash"],
                "decider": decider,
            }
    return decisions


def cli_decider() -> str:
    """Who answers through the CLI: the operating-system user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment
        user = "unknown user"
    return f"{user} (baton cli)"
