"""What the offline stand-in cannot read, and what it says instead of guessing a route.

The stand-in reads English requests of its sample world's kinds: refunds and double
charges, bug, outage and data-loss reports, policy questions, and requests mixing them.
Anything else (another language, a kind of work it has no behaviour for) it names plainly,
with how to get a real model, rather than routing it somewhere and producing a confident
answer it never understood. Like every reply of the stand-in, the verdict is a pure
function of the request.
"""

from __future__ import annotations

import re

from agents.models import offline_reading as read

REAL_MODEL_HINT = (
    "set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible server) or "
    "BATON_PROVIDER=local to run it on a real model"
)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ENGLISH_TEXT = (
    "a about after all also am an and any are as at be been but by can could did do does "
    "for from get got had has have he her him his how i if in into is it its just me my no "
    "not of on or our please she so than that the their them then there they this to too "
    "twice us was we were what when where which who why will with would you your hi hello "
    "thanks thank write make tell translate give send show want need know like good day "
    "morning one two new some more time see look find help go come take"
)
_ENGLISH = frozenset(_ENGLISH_TEXT.split())
_WORLD_TEXT = (
    "refund refunds refunded charge charged charges billed billing bill payment paid order "
    "orders customer customers account plan plans annual monthly subscription invoice "
    "policy policies warranty shipping return returns email ticket bug crash crashes app "
    "dashboard export login checkout api page outage down data lost error broken duplicate "
    "double cancel cancellation trial upgrade downgrade price pricing support password sla "
    "storage priority pro business late delivery money"
)
_WORLD = frozenset(_WORLD_TEXT.split())


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def not_english(request: str) -> bool:
    """Too few English words (or a non-Latin script) to read the request as English."""
    words = _words(request)
    if not words:
        return False
    letters = [c for c in request if c.isalpha()]
    if letters and sum(1 for c in letters if c.isascii()) / len(letters) < 0.8:
        return True
    if len(words) < 4:
        return False
    known = sum(1 for w in words if w in _ENGLISH or w in _WORLD)
    return known / len(words) < 0.25


def unknown_kind(request: str) -> bool:
    """Not a kind of request the sample world has: no money, problem, or world topic."""
    if read.intent(request) in ("refund", "bug") or read.outage(request):
        return False
    if read.order_id(request) is not None or read.customer_id(request) is not None:
        return False
    return not any(w in _WORLD or w.rstrip("s") in _WORLD for w in _words(request))


def cannot_read(request: str, history: str = "") -> str | None:
    """What the stand-in says about a request it cannot read, or None when it can.

    ``history`` is the digest of the conversation's earlier turns: a follow-up ("the other
    one too", "and how do I ask for one?") is read with the ids and topics of the turns it
    follows.
    """
    if not request.strip() or read.about_conversation(request, history):
        return None
    request = read.resolve(request, history)
    if not_english(request):
        return (
            "The offline stand-in cannot read this request: it reads English only, and this "
            f"does not look like English. Nothing was done; {REAL_MODEL_HINT}."
        )
    if unknown_kind(request) and unknown_kind(history):  # a follow-up takes its topic
        return (
            "The offline stand-in cannot read this request: it knows refunds and double "
            "charges, bug, outage and data-loss reports and policy questions about the sample "
            f"world, and this is none of them. Nothing was done; {REAL_MODEL_HINT}."
        )
    return None
