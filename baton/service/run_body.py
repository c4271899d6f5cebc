"""What a client may send to start a run, as LangGraph's SDK sends it, validated.

Fields the SDK can send but Baton does not honour (``webhook``, ``after_seconds``,
``feedback_keys``, ``langsmith_tracer``, ``context``) are refused with a 422 naming them
rather than silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from baton.service.chunks import StreamMode

_ID = Annotated[str, Field(min_length=1, max_length=200)]


class CommandBody(BaseModel):
    """A LangGraph ``Command``; Baton runs accept ``resume`` only."""

    model_config = ConfigDict(extra="forbid")

    resume: Any = None
    update: Any = None
    goto: Any = None
    graph: str | None = None


class CheckpointRef(BaseModel):
    """A checkpoint of the thread to start from (top-level namespace only)."""

    model_config = ConfigDict(extra="ignore")

    checkpoint_id: str | None = Field(default=None, max_length=200)
    checkpoint_ns: str = Field(default="", max_length=500)
    thread_id: str | None = Field(default=None, max_length=200)


class RunConfig(BaseModel):
    """The part of a LangChain ``RunnableConfig`` a client may set."""

    model_config = ConfigDict(extra="ignore")

    tags: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict)
    configurable: dict[str, Any] = Field(default_factory=dict)
    recursion_limit: int | None = Field(default=None, ge=1, le=10_000)


class RunCreate(BaseModel):
    """The body of ``POST /threads/{id}/runs[/stream|/wait]`` and ``POST /runs[/stream|/wait]``."""

    model_config = ConfigDict(extra="forbid")

    assistant_id: _ID
    input: dict[str, Any] | None = None
    command: CommandBody | None = None
    stream_mode: StreamMode | list[StreamMode] = "values"
    stream_subgraphs: StrictBool = False
    stream_resumable: StrictBool = False
    metadata: dict[str, Any] | None = None
    config: RunConfig | None = None
    context: dict[str, Any] | None = None
    checkpoint: CheckpointRef | None = None
    checkpoint_id: str | None = Field(default=None, max_length=200)
    checkpoint_during: StrictBool | None = None
    interrupt_before: Literal["*"] | list[Annotated[str, Field(max_length=200)]] | None = None
    interrupt_after: Literal["*"] | list[Annotated[str, Field(max_length=200)]] | None = None
    feedback_keys: list[str] | None = None
    webhook: str | None = None
    on_disconnect: Literal["cancel", "continue"] = "continue"
    on_completion: Literal["delete", "keep"] | None = None
    multitask_strategy: Literal["reject", "enqueue", "interrupt", "rollback"] = "reject"
    if_not_exists: Literal["create", "reject"] = "reject"
    after_seconds: int | None = Field(default=None, ge=0, le=86_400 * 365)
    durability: Literal["sync", "async", "exit"] | None = None
    strict_resume: StrictBool | None = None
    langsmith_tracer: dict[str, Any] | None = None

    @field_validator("stream_mode")
    @classmethod
    def _modes_unique(cls, value: StreamMode | list[StreamMode]) -> StreamMode | list[StreamMode]:
        if isinstance(value, list) and not value:
            raise ValueError("give at least one stream mode")
        return value

    def modes(self) -> list[str]:
        """The requested stream modes, in order, without repeats."""
        requested = [self.stream_mode] if isinstance(self.stream_mode, str) else self.stream_mode
        return list(dict.fromkeys(requested))

    def unsupported(self) -> str | None:
        """The first field this service does not honour, if the client set one."""
        if self.webhook:
            return "webhook: webhooks are not supported by baton serve"
        if self.after_seconds:
            return "after_seconds: delayed runs are not supported by baton serve"
        if self.feedback_keys:
            return "feedback_keys: LangSmith feedback is not supported by baton serve"
        if self.langsmith_tracer:
            return "langsmith_tracer: set LANGSMITH_* on the server instead"
        if self.context:
            return "context: Baton's graphs take no run context"
        if self.command is not None and any(
            v is not None for v in (self.command.update, self.command.goto, self.command.graph)
        ):
            return "command: only resume is accepted (update and goto could skip an approval)"
        if self.command is not None and self.input is not None:
            return "input and command: send one or the other"
        return None
