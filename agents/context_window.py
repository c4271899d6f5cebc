"""Messages cut to fit a tier's context window, before they are sent.

Token counts are estimated at about 4 characters per token (``CHARS_PER_TOKEN``): no
tokenizer is shipped for every server Baton may talk to, and the estimate only has to
keep a request clearly inside the window. The system prompt is never cut; tool results
and the task text (which carries the conversation digest) are cut in the middle, the
longest first, each keeping its start and end and saying how much was cut.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agents.errors import StepFailed

CHARS_PER_TOKEN = 4
"""The estimate: about four characters of English or JSON per token."""
MIN_KEPT_CHARS = 400
"""A cut message keeps at least this much of its text."""


class ContextTooLong(StepFailed):
    """A request does not fit the tier's context window even with its long parts cut."""


def setting_name(tier: str) -> str:
    """The environment variable that sets ``tier``'s context window."""
    return f"BATON_{tier.upper()}_CONTEXT_TOKENS"


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` takes, estimated."""
    return len(text) // CHARS_PER_TOKEN + 1


def reply_reserve(window: int) -> int:
    """Tokens kept free for the model's reply."""
    return max(256, window // 8)


def fit_messages(
    messages: Sequence[BaseMessage],
    tools: Sequence[dict[str, Any]],
    window: int,
    tier: str,
) -> list[BaseMessage]:
    """``messages`` with tool results and task texts cut so the request fits ``window``.

    Raises ``ContextTooLong`` naming the setting when even the cut request does not fit.
    """
    fitted = list(messages)
    budget = window - reply_reserve(window) - estimate_tokens(json.dumps(list(tools)))
    excess = sum(estimate_tokens(_text(m)) for m in fitted) - budget
    while excess > 0:
        index = _longest_cuttable(fitted)
        if index is None:
            raise ContextTooLong(
                f"the request needs about {budget + excess} tokens but {setting_name(tier)}"
                f"={window} leaves {budget} for messages; raise {setting_name(tier)} if the "
                "model's context window is larger"
            )
        message = fitted[index]
        text = _text(message)
        keep = max(MIN_KEPT_CHARS, len(text) - excess * CHARS_PER_TOKEN - 80)
        cut = _cut_middle(text, keep, tier)
        fitted[index] = message.model_copy(update={"content": cut})
        excess -= estimate_tokens(text) - estimate_tokens(cut)
    return fitted


def _text(message: BaseMessage) -> str:
    content = message.content
    return content if isinstance(content, str) else json.dumps(content)


def _longest_cuttable(messages: list[BaseMessage]) -> int | None:
    """Index of the longest tool result or human text that can still be cut."""
    best: int | None = None
    for index, message in enumerate(messages):
        if not isinstance(message, ToolMessage | HumanMessage):
            continue
        if not isinstance(message.content, str) or len(message.content) <= MIN_KEPT_CHARS + 80:
            continue
        if best is None or len(message.content) > len(_text(messages[best])):
            best = index
    return best


def _cut_middle(text: str, keep: int, tier: str) -> str:
    head = keep * 2 // 3
    tail = keep - head
    dropped = len(text) - keep
    marker = f"\n[... {dropped} characters cut to fit {setting_name(tier)} ...]\n"
    return text[:head] + marker + (text[-tail:] if tail else "")
