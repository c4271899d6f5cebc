"""Scripted replies: a queue, each reply taken by the first request it matches.

A reply is ``{"when": "...", "content": "...", "tool_calls": [{"id", "name", "arguments"}]}``
or an error ``{"when": "...", "status": 503, "message": "..."}``. ``when`` is text the
request's messages must contain (a worker's prompt, a step id); without it a reply matches
any request. Parallel worker steps take their replies by ``when``, whatever order their
requests arrive in.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Script:
    """The queue of replies and the log of requests, shared by the server's handlers."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, replies: list[dict[str, Any]]) -> None:
        """Queue ``replies`` after those already queued."""
        with self.lock:
            self.replies.extend(replies)

    def take(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The first queued reply that matches ``body`` (removed from the queue)."""
        text = json.dumps(body.get("messages", []))
        with self.lock:
            for index, reply in enumerate(self.replies):
                when = reply.get("when")
                if when is None or when in text or json.dumps(when)[1:-1] in text:
                    return self.replies.pop(index)
        return None

    def record(self, entry: dict[str, Any]) -> None:
        """Log one request and what the server did with it."""
        with self.lock:
            self.log.append(entry)

    def rejected(self) -> list[dict[str, Any]]:
        """Logged requests the server refused (status 400 or more)."""
        with self.lock:
            return [e for e in self.log if e["status"] >= 400]
