"""``GET /ok`` and ``GET /info``: liveness and what this server is."""

from __future__ import annotations

from typing import Annotated

import langgraph.version
from fastapi import APIRouter, Depends, Response

from baton.service import wire
from baton.service.deps import Caller, caller

router = APIRouter(tags=["meta"])


@router.get("/ok")
async def ok() -> Response:
    """Liveness: the server answers."""
    return wire.JsonResponse({"ok": True})


@router.get("/info")
async def info(who: Annotated[Caller, Depends(caller)]) -> Response:
    """What this server is and what it supports."""
    from importlib.metadata import version

    return wire.JsonResponse(
        {
            "version": version("baton"),
            "langgraph_py_version": langgraph.version.__version__,
            "flags": {
                "assistants": True,
                "crons": False,
                "langsmith": False,
                "strict_resume": True,
            },
            "host": {"kind": "baton-serve", "tenant": who.tenant},
        }
    )
