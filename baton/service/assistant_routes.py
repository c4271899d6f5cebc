"""Assistant routes: search, count, get, schemas, graph, subgraphs."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from baton.service import wire
from baton.service.assistants import Assistant
from baton.service.deps import Caller, caller
from baton.service.errors import ApiError, not_found
from persistence.threads import metadata_matches

router = APIRouter(tags=["assistants"])
Who = Annotated[Caller, Depends(caller)]


class AssistantSearch(BaseModel):
    """``POST /assistants/search`` and ``/assistants/count``."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] | None = None
    graph_id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0)
    sort_by: Literal["assistant_id", "graph_id", "name", "created_at", "updated_at"] | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[str] | None = None


def _matching(who: Caller, body: AssistantSearch) -> list[Assistant]:
    found = [
        a
        for a in who.ctx.assistants.all
        if (body.graph_id is None or a.graph_id == body.graph_id)
        and (body.name is None or body.name.lower() in a.graph_id.lower())
        and metadata_matches(a.as_json()["metadata"], body.metadata or {})
    ]
    key = body.sort_by or "created_at"
    found.sort(
        key=lambda a: str(a.as_json().get(key, a.graph_id)), reverse=body.sort_order == "desc"
    )
    return found


def _assistant(who: Caller, assistant_id: str) -> Assistant:
    assistant = who.ctx.assistants.find(assistant_id)
    if assistant is None:
        raise not_found(f"assistant {assistant_id}")
    return assistant


@router.post("/assistants/search")
async def search_assistants(body: AssistantSearch, who: Who) -> Response:
    """Search assistants (one per graph)."""
    page = _matching(who, body)[body.offset : body.offset + body.limit]
    return wire.JsonResponse([a.as_json() for a in page])


@router.post("/assistants/count")
async def count_assistants(body: AssistantSearch, who: Who) -> Response:
    """Count assistants."""
    return wire.JsonResponse(len(_matching(who, body)))


@router.get("/assistants/{assistant_id}")
async def get_assistant(assistant_id: str, who: Who) -> Response:
    """Get an assistant by id or graph id."""
    return wire.JsonResponse(_assistant(who, assistant_id).as_json())


@router.get("/assistants/{assistant_id}/schemas")
async def get_schemas(assistant_id: str, who: Who) -> Response:
    """An assistant's JSON schemas."""
    return wire.JsonResponse(_assistant(who, assistant_id).schemas())


def _xray(value: str | None) -> bool | int:
    if value in (None, "", "false", "False"):
        return False
    if value in ("true", "True"):
        return True
    try:
        depth = int(str(value))
    except ValueError:
        raise ApiError(422, "xray: true, false or a depth of 1 or more") from None
    if depth < 1:
        raise ApiError(422, "xray: true, false or a depth of 1 or more")
    return depth


@router.get("/assistants/{assistant_id}/graph")
async def get_graph(
    assistant_id: str, who: Who, xray: Annotated[str | None, Query(max_length=10)] = None
) -> Response:
    """An assistant's graph, nodes and edges."""
    assistant = _assistant(who, assistant_id)
    drawn = assistant.graph.get_graph(xray=_xray(xray)).to_json()
    for node in drawn.get("nodes", []):
        data = node.get("data")
        if isinstance(data, dict):
            data.pop("id", None)
    return wire.JsonResponse(drawn)


@router.get("/assistants/{assistant_id}/subgraphs")
async def get_subgraphs(assistant_id: str, who: Who, recurse: bool = False) -> Response:
    """An assistant's subgraphs and their schemas."""
    assistant = _assistant(who, assistant_id)
    found: dict[str, Any] = {}
    for namespace, subgraph in assistant.graph.get_subgraphs(recurse=recurse):
        found[namespace] = Assistant(
            namespace, "", cast(Any, subgraph), assistant.created_at
        ).schemas()
    return wire.JsonResponse(found)
