"""Asking a person, at the terminal, for a decision on each pending approval.

The answers become the same decisions ``baton resume --approve/--edit/--reject`` sends
(``baton.decisions.build_decisions``), so they are validated by the same rules; a bad
answer is said in one line and the question is asked again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from baton.console import compact_json, say
from baton.decisions import MAX_REASON_CHARS, DecisionRequest, build_decisions
from baton.errors import BadInput
from baton.pending import RECONCILIATION

Ask = Callable[[str], str]
"""Reads one answer after a prompt; raises ``EOFError`` when the person leaves."""


def _show(item: dict[str, Any]) -> None:
    if item.get("kind") == RECONCILIATION:
        say(f"outcome unknown · {item['step']} {item['worker']} · {item['tool']}")
    else:
        say(f"approval · {item['step']} {item['worker']} · {item['tool']}")
    say(f"  args:   {compact_json(item['args'], limit=2000)}")
    say(f"  reason: {item['reason']}")
    if item.get("refused"):
        say(f"  previous decision refused: {item['refused']}")


def _request_for(item: dict[str, Any], ask: Ask) -> DecisionRequest:
    """One decision for ``item``, asked until the answer has the right shape."""
    interrupt_id = item["id"]
    if item.get("kind") == RECONCILIATION:
        while True:
            answer = ask("did it happen? [s]ent / [n]ot sent: ").strip().lower()
            if answer in ("s", "sent"):
                return DecisionRequest(False, (), (), (), sent=(interrupt_id,))
            if answer in ("n", "not sent"):
                return DecisionRequest(False, (), (), (), not_sent=(interrupt_id,))
            say("answer s or n")
    while True:
        answer = ask("[a]pprove / [e]dit / [r]eject: ").strip().lower()
        if answer in ("a", "approve"):
            return DecisionRequest(False, (interrupt_id,), (), ())
        if answer in ("r", "reject"):
            reason = ask("reason: ").strip()
            if 0 < len(reason) <= MAX_REASON_CHARS:
                return DecisionRequest(False, (), ((interrupt_id, reason),), ())
            say(f"a reason is 1-{MAX_REASON_CHARS} characters")
        elif answer in ("e", "edit"):
            text = ask("changed args as a JSON object (keys replace the proposed ones): ")
            try:
                given = json.loads(text)
            except json.JSONDecodeError as exc:
                say(f"not JSON: {exc.msg} at char {exc.pos}")
                continue
            if isinstance(given, dict):
                return DecisionRequest(False, (), (), ((interrupt_id, given),))
            say("not a JSON object")
        else:
            say("answer a, e or r")


def ask_decisions(
    pending: list[dict[str, Any]], tools: dict[str, Any], ask: Ask
) -> dict[str, dict[str, Any]]:
    """The resume map for every pending approval, asked one by one."""
    decisions: dict[str, dict[str, Any]] = {}
    for item in pending:
        _show(item)
        while True:
            request = _request_for(item, ask)
            try:
                decisions.update(build_decisions(request, pending, tools))
                break
            except BadInput as exc:  # e.g. edited args that do not fit the tool
                say(str(exc).replace("--args", "the args"))
    return decisions
