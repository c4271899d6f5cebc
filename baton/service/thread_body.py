"""What a client may send to the thread routes, as LangGraph's SDK sends it, validated."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from baton.service.run_body import CheckpointRef
from persistence.threads import ThreadStatus


class ThreadCreate(BaseModel):
    """``POST /threads``."""

    model_config = ConfigDict(extra="forbid")

    thread_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    metadata: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] = "raise"
    supersteps: list[Any] | None = None
    ttl: Any = None


class ThreadSearch(BaseModel):
    """``POST /threads/search``."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    ids: list[str] | None = Field(default=None, max_length=1000)
    status: ThreadStatus | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=1_000_000)
    sort_by: Literal["thread_id", "status", "created_at", "updated_at"] | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[str] | None = None
    extract: dict[str, str] | None = None


class ThreadCount(BaseModel):
    """``POST /threads/count``."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] | None = None
    values: dict[str, Any] | None = None
    status: ThreadStatus | None = None


class ThreadPatch(BaseModel):
    """``PATCH /threads/{id}``: metadata keys to set."""

    model_config = ConfigDict(extra="forbid")

    metadata: dict[str, Any] = Field(default_factory=dict)
    ttl: Any = None


class StateUpdate(BaseModel):
    """``POST /threads/{id}/state``: values written as if a node returned them."""

    model_config = ConfigDict(extra="forbid")

    values: dict[str, Any] | None = None
    as_node: str | None = Field(default=None, max_length=200)
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = Field(default=None, max_length=200)


class StateAtCheckpoint(BaseModel):
    """``POST /threads/{id}/state/checkpoint``."""

    model_config = ConfigDict(extra="forbid")

    checkpoint: CheckpointRef
    subgraphs: StrictBool = False
    select: list[str] | None = None


class HistoryQuery(BaseModel):
    """``POST /threads/{id}/history``."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=10, ge=1, le=1000)
    before: str | CheckpointRef | None = None
    metadata: dict[str, Any] | None = None
    checkpoint: CheckpointRef | None = None
    select: list[str] | None = None
