"""The offline stand-in's answer to a question about the conversation itself.

It reads only the digest of earlier turns (``agents.history``): a turn's header line,
its ``did:`` lines (the record of the effects it did) and its answer. What it says comes
from those lines, each cited with its turn; when they do not say, it says so.
"""

from __future__ import annotations

import re

from agents.models import offline_reading as read

_TURN = re.compile(r"^\s*turn (\d+) - user: (.*)$")
_DID = re.compile(r"^\s*did: (\w+) ?(.*)$")
_TOPICS = {
    "issue_refund": re.compile(r"\brefund\w*|\bmoney|\bpaid back", re.IGNORECASE),
    "send_email": re.compile(r"\b(e-?mail\w*|sent|send|wrote|message)", re.IGNORECASE),
    "file_ticket": re.compile(r"\b(ticket|bug|file[ds]?|report\w*)", re.IGNORECASE),
}


def _effects(history: str) -> list[tuple[int, str, dict[str, str]]]:
    """(turn, tool, fields) of every ``did:`` line, oldest first."""
    found = []
    turn = 0
    for line in history.splitlines():
        header = _TURN.match(line)
        if header:
            turn = int(header.group(1))
            continue
        did = _DID.match(line)
        if did and turn:
            fields = read.key_values("x", "x: " + did.group(2).replace(" -> ", " "))
            found.append((turn, did.group(1), fields))
    return found


def _say(turn: int, tool: str, f: dict[str, str]) -> str:
    if tool == "issue_refund":
        refund = f" (refund {f['refund_id']})" if "refund_id" in f else ""
        return (
            f"In turn {turn} I refunded {f.get('amount', '?')} {f.get('currency', '')} on order "
            f"{f.get('order_id', '?')} to customer {f.get('customer_id', '?')}{refund}. "
            f"[turn {turn}]"
        )
    if tool == "send_email":
        return (
            f"In turn {turn} I emailed {f.get('to', '?')}: {f.get('subject', '')!r}. [turn {turn}]"
        )
    if tool == "file_ticket":
        return f"In turn {turn} I filed ticket #{f.get('ticket_id', '?')}. [turn {turn}]"
    return f"In turn {turn} I ran {tool}. [turn {turn}]"


def recall(task: str) -> str:
    """Answer "what did you ...?" from the digest's records of earlier turns."""
    own, history = read.split_history(task)
    request = read.field(own, "Request")
    effects = _effects(history)
    asked = [tool for tool, topic in _TOPICS.items() if topic.search(request)]
    relevant = [e for e in effects if not asked or e[1] in asked]
    if relevant:
        return "\n".join(_say(*effect) for effect in relevant)
    if asked:
        kinds = {"issue_refund": "refunded", "send_email": "emailed", "file_ticket": "filed"}
        done = " or ".join(kinds[t] for t in asked)
        return f"Nothing was {done} earlier in this conversation."
    turns = [int(t) for t in re.findall(r"^\s*turn (\d+) - user:", history, re.MULTILINE)]
    if not turns:
        return "There is nothing earlier in this conversation."
    return f"Earlier turns did no irreversible action (turns {', '.join(map(str, turns))})."
