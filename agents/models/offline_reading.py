"""How the offline stand-in reads a request: intent and the ids it mentions.

It reads meaning from wording rather than matching a script, so paraphrases ("billed two
times for order 5602") take the same path as the sample requests.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

Intent = Literal["refund", "bug", "question"]

_REFUND_WORD = re.compile(r"\brefund\w*\b", re.IGNORECASE)
_REFUND = re.compile(
    r"\b(charged (?:me )?(?:twice|two times|double)|double[- ]?(?:charged|charge|billed)|"
    r"duplicate (?:charge|payment)|billed (?:me )?(?:twice|two times)|overcharg\w*|"
    r"two (?:identical )?charges|paid twice|charged .{0,20}(?:twice|two times))\b",
    re.IGNORECASE,
)
_BUG = re.compile(
    r"\b(bug|crash\w*|error|exception|broken|fails?|failing|freez\w*|doesn'?t work|"
    r"does not work|not working|stack ?trace|500|blank (?:page|screen)|won'?t (?:load|open))\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"^\s*(how|what|when|why|which|who|where|can|do|does|is|are|will|should)\b.*\?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ORDER = re.compile(r"\border\s*(?:id|number|no\.?)?\s*#?\s*(\d{3,})", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bcustomer\s*(?:id|number|no\.?)?\s*#?\s*(\d{3,})", re.IGNORECASE)


def intent(text: str) -> Intent:
    """Classify a request: money back, a problem report, or a question."""
    has_ids = order_id(text) is not None or customer_id(text) is not None
    if _QUESTION.match(text) and not has_ids:
        return "question"
    if _REFUND.search(text) or (_REFUND_WORD.search(text) and has_ids):
        return "refund"
    if _BUG.search(text):
        return "bug"
    return "question"


def order_id(text: str) -> int | None:
    """The first order id mentioned, if any."""
    match = _ORDER.search(text)
    return int(match.group(1)) if match else None


def customer_id(text: str) -> int | None:
    """The first customer id mentioned, if any."""
    match = _CUSTOMER.search(text)
    return int(match.group(1)) if match else None


_NAME = re.compile(r"\b([A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+){1,3})\b")
_NOT_A_NAME_TEXT = (
    "customer customers client please refund refunds order orders hi hello dear the our my "
    "their bug report request mr mrs ms dr pro business storage extra priority plan"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_TEXT.split())
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def person_name(text: str) -> str | None:
    """The first full name (two or more capitalised words) the text mentions, if any."""
    for match in _NAME.finditer(text):
        words = match.group(1).split()
        while words and words[0].casefold() in _NOT_A_NAME:
            words.pop(0)
        if len(words) >= 2:
            return " ".join(words)
    return None


def email(text: str) -> str | None:
    """The first email address the text mentions, if any."""
    match = _EMAIL.search(text)
    return match.group(0).rstrip(".") if match else None


def field(text: str, label: str) -> str:
    """The text after ``label:`` up to the end of its line, or empty."""
    match = re.search(rf"^{re.escape(label)}:[ \t]*(.*)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def key_values(line_prefix: str, text: str) -> dict[str, str]:
    """Parse ``prefix: k=v k="v w"`` from the first line starting with ``prefix:``."""
    match = re.search(rf"^{re.escape(line_prefix)}:(.*)$", text, re.MULTILINE)
    if not match:
        return {}
    pairs = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', match.group(1))
    return {k: (json.loads(v) if v.startswith('"') else v) for k, v in pairs}


def json_after(label: str, text: str) -> dict[str, Any] | None:
    """Parse the JSON object written on the line after ``label:`` (last occurrence)."""
    found: dict[str, Any] | None = None
    for match in re.finditer(rf"^{re.escape(label)}:[ \t]*(\{{.*\}})[ \t]*$", text, re.MULTILINE):
        try:
            value = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            found = value
    return found
