"""Whether a turn did its job: the contract a turn must meet to end ``done``.

A turn whose steps all ran without error can still have done nothing: a model that never
called a tool, an answer made up instead of looked up, a refund request that ended with
neither a refund nor a finding. ``unmet`` reads the turn's route, step results and ticket
and says why the contract does not hold (the turn then ends ``unresolved``), or None:

- an answer (the ``answer`` route) is grounded in what the tools returned: it cites at
  least one source, or a knowledge-base search ran and the answer says plainly that the
  knowledge base has nothing; any other turn has at least one step that used a tool;
- a money request (a refund, a double or duplicate charge) reached a verified refund (the
  effect done, or found already in the world), a human's rejection of it, or a finding
  that no refund is due from a step that read the records;
- a ticket route filed its ticket.

A question about the conversation itself (``recall``) is answered from the turn records
and has no tool to ground it in; on a conversation with no earlier turn it is unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from state.results import WorkerResult

_ASK_BACK = re.compile(r"\b(refund\w*|money back|reimburs\w*)\b", re.IGNORECASE)
_SOMEONE = re.compile(
    r"\b(i|me|my|we|us|our|he|him|his|she|her|they|them|their|customer)\b", re.IGNORECASE
)
_MONEY = re.compile(
    r"\b(refund\w*|money back|reimburs\w*|charged (?:me )?(?:twice|two times|double)|"
    r"double[- ]?(?:charged|charge|billed)|duplicate (?:charge|payment)\w*|"
    r"billed (?:me )?(?:twice|two times)|overcharg\w*|paid twice|"
    r"charged .{0,20}(?:twice|two times))\b",
    re.IGNORECASE,
)
_POLICY_QUESTION = re.compile(
    r"^\s*(how|what|when|why|which|where|can|do|does|is|are|will|should)\b[^?]*\?\s*$",
    re.IGNORECASE,
)
_HAS_ID = re.compile(r"\b(order|customer)\s*(?:id|number|no\.?)?\s*#?\s*\d{3,}", re.IGNORECASE)
_NOTHING_FOUND = re.compile(
    r"knowledge base (?:has|had|holds|contains) nothing|nothing (?:in|from) the knowledge base|"
    r"no (?:matching|relevant) (?:entry|entries|section|sections|document|documents|policy)|"
    r"knowledge base (?:does not|doesn't) (?:say|cover|mention)",
    re.IGNORECASE,
)
_NO_REFUND_DUE = re.compile(
    r"no duplicate charge|nothing (?:more )?is owed|no refund (?:is )?(?:due|owed)|"
    r"not (?:eligible|due) (?:for )?a? ?refund|already (?:been )?refunded",
    re.IGNORECASE,
)
_RECORD_TOOLS = frozenset({"sql_query"})
"""Tools that read the business records: a finding from them is a verified finding."""


_MARKUP = re.compile(r"<[^<>]*>")
"""Markup pasted into a request (an HTML tag) is not words: it is read as a space."""


def is_money_request(request: str) -> bool:
    """A request to get money back (not a question about the refund policy)."""
    request = _MARKUP.sub(" ", request)
    if not _MONEY.search(request):
        return False
    if _POLICY_QUESTION.match(request) and not _HAS_ID.search(request):
        return False
    # Asking for money back, or a charge that happened to someone (not "audit the
    # duplicate charge handling").
    return bool(_ASK_BACK.search(request) or _HAS_ID.search(request) or _SOMEONE.search(request))


def grounded(result: WorkerResult) -> bool:
    """The step's answer cites a source its tools returned, or says the KB has nothing."""
    if result.citations:
        return True
    return "kb_search" in result.tools_used and bool(_NOTHING_FOUND.search(result.output))


def _money_settled(results: Iterable[WorkerResult]) -> bool:
    for result in results:
        for effect in result.effects:
            if effect.get("tool") == "issue_refund" and (
                effect.get("result") is not None or effect.get("already_done")
            ):
                return True
        if "issue_refund" in result.declined:
            return True
        if _RECORD_TOOLS & set(result.tools_used) and _NO_REFUND_DUE.search(result.output):
            return True
    return False


def unmet(
    route: str | None,
    request: str,
    results: dict[str, WorkerResult],
    ticket_id: int | None,
    earlier_turns: int = 0,
) -> str | None:
    """Why the turn's contract does not hold, or None when it does."""
    if route == "recall":
        if earlier_turns:
            return None
        if not is_money_request(request):
            return "a question about the conversation, but it has no earlier turn"
    if route == "ticket":
        return None if ticket_id is not None else "no ticket was filed"
    if is_money_request(request):
        if _money_settled(results.values()):
            return None
        return (
            "a money request ended with no verified refund and no finding that none is due "
            "(no issue_refund was done and no step that read the records said no refund is due)"
        )
    if not results:
        return "no step ran"
    if route == "answer":
        found = results.get("answer")
        if found is not None and grounded(found):
            return None
    elif any(r.citations or r.tools_used or r.effects for r in results.values()):
        return None
    names = sorted({t for r in results.values() for t in r.tools_used})
    used = f"tools used: {', '.join(names)}" if names else "no tool was called"
    return f"the answer cites no source the tools returned ({used})"
