"""The two model tiers, ``fast`` and ``strong``, and how they are built from configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models import BaseChatModel

from agents.models import local_server
from agents.models.offline import OFFLINE_MODEL_NAME, OfflineChatModel

Tier = Literal["fast", "strong"]


@dataclass(frozen=True)
class ModelConfig:
    """What is needed to reach the models; no key means the offline stand-in."""

    fast_model: str = "gpt-4o-mini"
    strong_model: str = "gpt-4o"
    api_key: str | None = None
    base_url: str | None = None
    timeout_s: float = 60.0
    fast_context_tokens: int = 16_000
    strong_context_tokens: int = 16_000


@dataclass(frozen=True)
class ModelTiers:
    """One chat model per tier."""

    fast: BaseChatModel
    strong: BaseChatModel
    offline: bool
    context_tokens: dict[str, int] = field(
        default_factory=lambda: {"fast": 16_000, "strong": 16_000}
    )
    """Each tier's context window in tokens (``BATON_FAST_CONTEXT_TOKENS`` and strong)."""

    def get(self, tier: Tier) -> BaseChatModel:
        """The model for ``tier``."""
        return self.fast if tier == "fast" else self.strong

    def name(self, tier: Tier) -> str:
        """The model name shown in traces and progress."""
        model = self.get(tier)
        return str(
            getattr(model, "model_name", None) or getattr(model, "model", OFFLINE_MODEL_NAME)
        )


def build_tiers(config: ModelConfig) -> ModelTiers:
    """ChatOpenAI tiers when a key is configured, else the offline stand-in for both.

    The client never retries (``max_retries=0``): ``agents.calls`` is the one retry layer.
    """
    config = local_server.configured(config)  # BATON_PROVIDER=local: a llama.cpp server
    windows = {"fast": config.fast_context_tokens, "strong": config.strong_context_tokens}
    if not config.api_key:
        return ModelTiers(
            fast=OfflineChatModel(tier="fast"),
            strong=OfflineChatModel(tier="strong"),
            offline=True,
            context_tokens=windows,
        )
    # imported lazily: langchain-openai is slow to import
    from agents.provider.openai_chat import PortableChatOpenAI

    def make(name: str) -> BaseChatModel:
        return PortableChatOpenAI(
            model=name,
            api_key=config.api_key,
            base_url=config.base_url,
            timeout=config.timeout_s,
            max_retries=0,
            temperature=0,
        )

    return ModelTiers(
        fast=make(config.fast_model),
        strong=make(config.strong_model),
        offline=False,
        context_tokens=windows,
    )
