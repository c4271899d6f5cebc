"""Stand-ins for a model or tool call: a fixed latency, and the offline stand-in model."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult

from agents.models.offline import OfflineChatModel
from agents.models.tiers import ModelTiers


def call_stub(latency_s: float) -> None:
    """Block for ``latency_s`` (0 returns at once), like a synchronous model call."""
    if latency_s > 0:
        time.sleep(latency_s)


async def acall_stub(latency_s: float) -> None:
    """Wait ``latency_s`` without blocking the event loop, like an async model call."""
    await asyncio.sleep(latency_s)


class LatencyStandIn(OfflineChatModel):
    """The offline stand-in model, answering after a fixed latency like a remote model."""

    latency_s: float = 0.0

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call_stub(self.latency_s)
        return super()._generate(messages, stop, run_manager, **kwargs)


def latency_tiers(latency_s: float) -> ModelTiers:
    """Both tiers as the offline stand-in with ``latency_s`` per call."""
    return ModelTiers(
        fast=LatencyStandIn(tier="fast", latency_s=latency_s),
        strong=LatencyStandIn(tier="strong", latency_s=latency_s),
        offline=True,
    )
