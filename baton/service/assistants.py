"""Assistants: one per graph in ``langgraph.json`` (``baton``, the orchestrator, and each worker).

Their ids are the ones LangGraph's server gives them (uuid5 of the graph id), so a client
may name an assistant by either.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from langgraph.graph.state import CompiledStateGraph
from pydantic import create_model

log = logging.getLogger("baton.service")

NAMESPACE_GRAPH = uuid.UUID("6ba7b821-9dad-11d1-80b4-00c04fd430c8")
"""The namespace LangGraph's server derives a graph's default assistant id from."""

ORCHESTRATOR = "baton"


def assistant_id_for(graph_id: str) -> str:
    """The default assistant id of ``graph_id``."""
    return str(uuid.uuid5(NAMESPACE_GRAPH, graph_id))


@dataclass
class Assistant:
    """A graph the service runs, under its assistant id."""

    graph_id: str
    description: str
    graph: CompiledStateGraph[Any, Any, Any, Any]
    created_at: float
    _schemas: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def assistant_id(self) -> str:
        """The uuid5 of the graph id."""
        return assistant_id_for(self.graph_id)

    def as_json(self) -> dict[str, Any]:
        """The API's ``Assistant``."""
        from baton.service.wire import iso

        return {
            "assistant_id": self.assistant_id,
            "graph_id": self.graph_id,
            "config": {},
            "context": {},
            "metadata": {"created_by": "system"},
            "version": 1,
            "name": self.graph_id,
            "description": self.description,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
        }

    def schemas(self) -> dict[str, Any]:
        """Input, output, state and context JSON schemas (None where one fails or is absent).

        ``config_schema`` is always None: LangGraph 1.x replaced configurable values with
        run context (and deprecated the config schema), and Baton's graphs take neither.
        """
        if self._schemas is None:
            graph = self.graph
            self._schemas = {
                "graph_id": self.graph_id,
                "input_schema": _schema(self.graph_id, "input", graph.get_input_jsonschema),
                "output_schema": _schema(self.graph_id, "output", graph.get_output_jsonschema),
                "state_schema": _schema(self.graph_id, "state", lambda: _state_schema(graph)),
                "config_schema": None,
                "context_schema": _schema(self.graph_id, "context", graph.get_context_jsonschema),
            }
        return self._schemas


def _schema(graph_id: str, which: str, build: Any) -> dict[str, Any] | None:
    try:
        schema: dict[str, Any] | None = build()
    except Exception as exc:  # a schema a type cannot produce is reported as absent
        log.warning("no %s schema for %s: %s", which, graph_id, exc)
        return None
    return schema


def _state_schema(graph: CompiledStateGraph[Any, Any, Any, Any]) -> dict[str, Any]:
    """A JSON schema of every state channel, from each channel's update type."""
    fields: dict[str, Any] = {}
    for name in graph.stream_channels_list:
        kind = getattr(graph.channels[name], "UpdateType", Any)
        try:
            create_model(name, value=(kind, None)).model_json_schema()
        except Exception:  # a type pydantic cannot describe is shown as any value
            kind = Any
        fields[name] = (kind, None)
    model = create_model(graph.get_name("State"), **fields)
    return model.model_json_schema()


class AssistantRegistry:
    """The assistants, found by assistant id or graph id."""

    def __init__(self, assistants: list[Assistant]) -> None:
        self.all = assistants
        self._by_key: dict[str, Assistant] = {}
        for assistant in assistants:
            self._by_key[assistant.graph_id] = assistant
            self._by_key[assistant.assistant_id] = assistant

    def find(self, key: str) -> Assistant | None:
        """The assistant named by its id or its graph id."""
        return self._by_key.get(key)
