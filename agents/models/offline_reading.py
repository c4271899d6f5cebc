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
_OUTAGE = re.compile(
    r"\b(outage|(?:is|are|went|goes|been)(?: \w+){0,3} down\b|down for (?:everyone|all|us|hours)|"
    r"data loss|lost (?:all |my |our |the )?(?:\w+ )?(?:data|files|records|history)|"
    r"(?:data|files|records|history) (?:is |are |was |were |has been |have been )?"
    r"(?:gone|missing|deleted|wiped|disappeared)|unavailable|unreachable)",
    re.IGNORECASE,
)
_POLICY_TALK = re.compile(r"\b(policy|policies|sla|guarantee\w*|credit\w*|compensat\w*)\b", re.I)
_QUESTION = re.compile(
    r"^\s*(how|what|when|why|which|who|where|can|do|does|is|are|will|should)\b.*\?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ORDER = re.compile(r"\border\s*(?:id|number|no\.?)?\s*#?\s*(\d{3,})", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bcustomer\s*(?:id|number|no\.?)?\s*#?\s*(\d{3,})", re.IGNORECASE)


def intent(text: str) -> Intent:
    """Classify a request: money back, a problem report, or a question."""
    has_ids = order_id(text) is not None or customer_id(text) is not None
    if outage(text) and not _REFUND.search(text):
        return "bug"  # an outage or data loss is filed, never answered from the policies
    if _QUESTION.match(text) and not has_ids:
        return "question"
    if _REFUND.search(text) or (_REFUND_WORD.search(text) and has_ids):
        return "refund"
    if _BUG.search(text):
        return "bug"
    return "question"


def outage(text: str) -> bool:
    """An outage or data-loss report (a question about the policy on them is not one)."""
    if not _OUTAGE.search(text):
        return False
    return not (_QUESTION.match(text) and _POLICY_TALK.search(text))


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


_HISTORY_LABEL = "Conversation so far:"
_REFERS_BACK = re.compile(
    r"\b(other|another|same|that|this|those|these|them|they|their|it|too|also|again|"
    r"previous|earlier|last)\b",
    re.IGNORECASE,
)
_OTHER_ORDER = re.compile(r"\b(?:the )?other (?:order|one|purchase)\b", re.IGNORECASE)
_ABOUT_CONVERSATION = re.compile(
    r"\b(what|which|how much|when|who|whom)\b.{0,40}\b(did|have|has) (you|we|baton)\b|"
    r"\bdid (you|we|baton) (already )?(refund|send|email|file|do|issue)\b|"
    r"\bremind me\b|\bso far\b.{0,20}\?|\b(earlier|before|last time)\b.{0,40}\?",
    re.IGNORECASE,
)
_HISTORY_ORDER = re.compile(r"\border(?:_id=| )#?(\d{3,})", re.IGNORECASE)
_HISTORY_CUSTOMER = re.compile(r"\bcustomer(?:_id=| )#?(\d{3,})", re.IGNORECASE)


def split_history(task: str) -> tuple[str, str]:
    """A task's own text, and the digest of the conversation's earlier turns after it."""
    own, _, history = task.partition(f"\n{_HISTORY_LABEL}\n")
    if not history and task.startswith(f"{_HISTORY_LABEL}\n"):
        return "", task[len(_HISTORY_LABEL) + 1 :]
    return own, history


def about_conversation(request: str, history: str) -> bool:
    """A question about the conversation itself ("what did you refund?")."""
    return bool(history.strip()) and bool(_ABOUT_CONVERSATION.search(request))


def resolve(request: str, history: str) -> str:
    """The request with the ids it refers back to ("the other order", "them") spelled out.

    Ids come from the latest earlier turn that names them; a request that names its own
    ids, or does not refer back, is returned unchanged.
    """
    if not history.strip() or order_id(request) is not None or customer_id(request) is not None:
        return request
    if not _REFERS_BACK.search(request):
        return request
    orders = _HISTORY_ORDER.findall(history)
    customers = _HISTORY_CUSTOMER.findall(history)
    if not orders and not customers:
        return request
    parts = [f"customer {customers[-1]}"] if customers else []
    if orders and _OTHER_ORDER.search(request):
        parts.append(f"an order other than {orders[-1]}")
    elif orders:
        parts.append(f"order {orders[-1]}")
    return f"{request} ({'; '.join(parts)})"


def excluded_order(text: str) -> int | None:
    """The order a resolved request excludes ("an order other than 5531")."""
    match = re.search(r"\bother than (?:order )?#?(\d{3,})", text, re.IGNORECASE)
    return int(match.group(1)) if match else None


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


_CHANGED = re.compile(r"a human changed (\w+) from (\S+) to (\S+) in")


def human_changes(text: str) -> dict[str, str]:
    """Values a human's edit replaced, as a writer's feedback states them: key -> new value."""
    return {key: new for key, _, new in _CHANGED.findall(text)}


def done_effects(text: str) -> list[dict[str, Any]]:
    """The effects a step already made (its ``Done:`` lines), oldest first."""
    found = []
    for match in re.finditer(r"^Done:[ \t]*(\{.*\})[ \t]*$", text, re.MULTILINE):
        try:
            value = json.loads(match.group(1))
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found
