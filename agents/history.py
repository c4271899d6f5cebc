"""The digest of a conversation's earlier turns that this turn's models read.

A thread is a conversation, but sending every earlier message to every model would grow
each call without bound and hand a fast router pages it does not need. Triage, planner,
synthesizer and workers get this digest instead: per earlier turn, the user's words, how
the turn ended, the irreversible effects it did (from the turn's record, not from what a
model said about them) and the start of the answer. Turns the thread holds as plain
messages (a chat client that sent its own history) appear as ``user:`` / ``assistant:``
lines. The newest turns are kept when the digest is over its size.

Every line of the digest is indented, so none of them can be read as one of the task's
``Label:`` lines (``Request:``, ``Worker:``) that the offline stand-in reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

MAX_DIGEST_CHARS = 3000
_ANSWER_CHARS = 400
_VALUE_CHARS = 300


def message_text(message: AnyMessage) -> str:
    """A message's text, whatever shape its content has."""
    text = message.text
    return text if isinstance(text, str) else str(message.content)


def _clip(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _value(value: Any) -> str:
    if isinstance(value, str):
        clipped = _clip(value, _VALUE_CHARS)
        return (
            clipped
            if clipped and " " not in clipped and '"' not in clipped
            else json.dumps(clipped, ensure_ascii=False)
        )
    return json.dumps(value, ensure_ascii=False, default=str)


def effect_line(effect: Mapping[str, Any]) -> str:
    """One effect as ``did: tool k=v ... -> k=v``, in the ``key=value`` form models read."""
    args = effect.get("args") or {}
    parts = [f"{k}={_value(v)}" for k, v in args.items() if k != "reason"]
    result = effect.get("result") if isinstance(effect.get("result"), dict) else {}
    kept = {k: v for k, v in (result or {}).items() if k.endswith("_id") and k not in args}
    line = f"did: {effect.get('tool', '?')} " + " ".join(parts)
    if kept:
        line += " -> " + " ".join(f"{k}={_value(v)}" for k, v in kept.items())
    return line


def _record_lines(record: Mapping[str, Any]) -> list[str]:
    lines = [
        f"  turn {record.get('turn', '?')} - user: {_clip(str(record.get('request', '')), 500)}",
        f"  route: {record.get('route') or '-'}; status: {record.get('status') or '-'}",
    ]
    lines += [f"  {effect_line(e)}" for e in record.get("effects") or ()]
    if record.get("ticket_id"):
        lines.append(f"  did: file_ticket -> ticket_id={record['ticket_id']}")
    answer = str(record.get("answer") or "")
    if answer:
        lines.append(f"  answer: {_clip(answer, _ANSWER_CHARS)}")
    return lines


def digest(messages: Sequence[AnyMessage], records: Sequence[Mapping[str, Any]]) -> str:
    """The earlier turns of ``messages`` (those before the current request), newest kept."""
    by_message = {str(r.get("message_id")): r for r in records if r.get("message_id")}
    blocks: list[list[str]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            record = by_message.get(str(message.id))
            if record is not None:
                blocks.append(_record_lines(record))
            else:
                blocks.append([f"  user: {_clip(message_text(message), 500)}"])
        elif (
            isinstance(message, AIMessage)
            and blocks
            and not message.tool_calls
            and by_message.get(_last_human_id(messages, message)) is None
        ):
            blocks[-1].append(f"  assistant: {_clip(message_text(message), _ANSWER_CHARS)}")
    kept: list[str] = []
    size = 0
    for block in reversed(blocks):
        text = "\n".join(block)
        if kept and size + len(text) > MAX_DIGEST_CHARS:
            kept.append(f"  ({len(blocks) - len(kept)} earlier turn(s) left out)")
            break
        kept.append(text)
        size += len(text) + 1
    return "\n".join(reversed(kept))


def with_history(body: str, history: str) -> str:
    """A model's input text followed by the digest of the earlier turns, if there are any."""
    return f"{body}\nConversation so far:\n{history}" if history else body


def _last_human_id(messages: Sequence[AnyMessage], answer: AIMessage) -> str:
    """Id of the human message the ``answer`` follows."""
    last = ""
    for message in messages:
        if message is answer:
            break
        if isinstance(message, HumanMessage):
            last = str(message.id)
    return last
