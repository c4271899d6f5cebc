"""Provider errors, classified and told in one line: retry or not, and what the server said.

The ``openai`` client's exceptions carry the whole response body; a person needs the
status and the server's own short message, once.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

SHORT = 300
"""The most characters of a server's message shown."""
CONTEXT_WORDS = ("context", "maximum context length", "exceed")


def provider_errors() -> tuple[type[BaseException], ...]:
    """Errors a model call can raise from its provider."""
    errors: list[type[BaseException]] = [TimeoutError, ConnectionError]
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:  # the offline stand-in needs no provider client
        pass
    return tuple(errors)


GARBAGE: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError)
"""What ``langchain-openai`` raises on a reply that is not a chat completion (an HTML error
page, a JSON body of another shape, half a body)."""


def garbage(error: BaseException) -> str:
    """One line for a reply the client could not read as a chat completion."""
    detail = " ".join(str(error).split())[:SHORT]
    return f"the reply is not an OpenAI chat completion ({type(error).__name__}: {detail})"


def status_of(error: BaseException) -> int | None:
    """The HTTP status the server answered, if it answered."""
    status = getattr(error, "status_code", None)
    return status if isinstance(status, int) else None


def is_transient(error: BaseException) -> bool:
    """Worth another attempt: a rate limit, a 5xx, a timeout or a dropped connection."""
    if isinstance(error, TimeoutError | ConnectionError):
        return True
    status = status_of(error)
    if status is not None:
        return status == 429 or status >= 500
    try:
        import openai
    except ImportError:
        return False
    return isinstance(error, openai.APITimeoutError | openai.APIConnectionError)


def is_context_overflow(error: BaseException) -> bool:
    """A 400 that says the request is longer than the model's context window."""
    if status_of(error) != 400:
        return False
    message = server_message(error).lower()
    return any(word in message for word in CONTEXT_WORDS)


def server_message(error: BaseException) -> str:
    """The server's own message: the body's ``error.message`` (or ``message``), else the text."""
    body: Any = getattr(error, "body", None)
    if isinstance(body, str):
        with contextlib.suppress(json.JSONDecodeError):
            body = json.loads(body)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            body = inner.get("message") or inner.get("detail") or json.dumps(inner)
        else:
            body = inner
    text = str(body) if body else str(getattr(error, "message", "") or error)
    return " ".join(text.split())[:SHORT]


def describe(error: BaseException) -> str:
    """One line: ``HTTP 500: <server's message>``, or what kept the server from answering."""
    status = status_of(error)
    if status is not None:
        return f"HTTP {status}: {server_message(error)}"
    kind = type(error).__name__
    seen: list[str] = []
    current: BaseException | None = error
    while current is not None and len(seen) < 4:
        text = " ".join(str(current).split())
        if text and text not in seen:
            seen.append(text)
        current = current.__cause__ or current.__context__
    detail = ": ".join(seen)[:SHORT]
    return f"{kind}: {detail}" if detail else kind
