"""From LangGraph's stream to the API's events: one event per requested mode.

A run asks for some of ``values``, ``updates``, ``messages-tuple``, ``messages``, ``custom``,
``debug``, ``tasks`` and ``checkpoints``. The graph is streamed with the LangGraph modes
those need, and each item becomes ``(event name, data)`` the way LangGraph's server names
them: ``mode`` or, from a subgraph with ``stream_subgraphs``, ``mode|ns1|ns2``;
``messages-tuple`` gives ``messages`` events whose data is ``[message chunk, metadata]``;
``messages`` gives ``messages/metadata`` then ``messages/partial`` (the message so far) or
``messages/complete``. Interrupts always reach the client: a run that asked for neither
``values`` nor ``updates`` gets them as a ``values`` event ``{"__interrupt__": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal, cast, get_args

from langchain_core.messages import BaseMessage, BaseMessageChunk, message_chunk_to_message

StreamMode = Literal[
    "values", "updates", "messages", "messages-tuple", "custom", "debug", "tasks", "checkpoints"
]
STREAM_MODES: tuple[str, ...] = get_args(StreamMode)
_INTERRUPT = "__interrupt__"


def graph_modes(requested: Sequence[str]) -> list[Any]:
    """The LangGraph stream modes that produce the requested API modes."""
    modes = {"messages" if mode == "messages-tuple" else mode for mode in requested}
    if not modes & {"values", "updates"}:
        modes.add("updates")  # interrupts arrive as updates
    return sorted(modes)


class ChunkMapper:
    """Maps one run's stream items to API events (it keeps the partial messages)."""

    def __init__(self, requested: Sequence[str], *, subgraphs: bool) -> None:
        self.requested = set(requested)
        self.subgraphs = subgraphs
        self._messages: dict[str, BaseMessage] = {}

    def events(self, item: Any) -> Iterator[tuple[str, Any]]:
        """The events for one item of ``graph.astream`` (with or without namespaces)."""
        if self.subgraphs:
            namespace, mode, chunk = cast(tuple[tuple[str, ...], str, Any], item)
        else:
            mode, chunk = cast(tuple[str, Any], item)
            namespace = ()
        suffix = "|" + "|".join(namespace) if self.subgraphs and namespace else ""
        if mode == "messages":
            yield from self._message_events(chunk, suffix)
        elif mode in self.requested:
            yield mode + suffix, chunk
        elif mode == "updates" and isinstance(chunk, dict) and chunk.get(_INTERRUPT):
            yield "values" + suffix, {_INTERRUPT: chunk[_INTERRUPT]}

    def _message_events(self, chunk: Any, suffix: str) -> Iterator[tuple[str, Any]]:
        message, metadata = chunk
        if "messages-tuple" in self.requested:
            yield "messages" + suffix, [message, metadata]
        if "messages" not in self.requested or not isinstance(message, BaseMessage):
            return
        key = message.id or ""
        known = self._messages.get(key)
        if isinstance(known, BaseMessageChunk) and isinstance(message, BaseMessageChunk):
            self._messages[key] = known + message
        else:
            self._messages[key] = message
            yield "messages/metadata", {key: {"metadata": metadata}}
        so_far = self._messages[key]
        if isinstance(message, BaseMessageChunk):
            yield "messages/partial", [so_far]
        else:
            yield "messages/complete", [message_chunk_to_message(so_far)]
