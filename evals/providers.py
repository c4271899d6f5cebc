"""The model tiers an eval runs on: the offline stand-in, a local llama.cpp server, or OpenAI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

from agents.models.offline import OfflineChatModel
from agents.models.tiers import ModelTiers, build_tiers
from graphs.settings import Settings

Provider = Literal["stand-in", "local", "openai"]
PROVIDERS: tuple[Provider, ...] = ("stand-in", "local", "openai")


class ProviderUnavailable(Exception):
    """The provider cannot be used here; the message says what is missing."""


@dataclass(frozen=True)
class Provided:
    """The tiers, and whether the model server Baton started is still up (True if none)."""

    tiers: ModelTiers
    alive: Callable[[], bool] = lambda: True


@contextmanager
def provider_tiers(provider: Provider) -> Iterator[Provided]:
    """The tiers for ``provider``, for as long as the eval runs (a local server is stopped)."""
    if provider == "stand-in":
        offline = ModelTiers(
            fast=OfflineChatModel(tier="fast"), strong=OfflineChatModel(tier="strong"), offline=True
        )
        yield Provided(offline)
        return
    if provider == "openai":
        settings = Settings()
        config = settings.model_config_for_agents()
        if not config.api_key:
            raise ProviderUnavailable("--provider openai needs OPENAI_API_KEY")
        yield Provided(build_tiers(config))
        return
    from agents.models.local_server import LOCAL_KEY, LocalUnavailable, local_server

    config = replace(Settings().model_config_for_agents(), api_key=LOCAL_KEY)
    if config.base_url:  # a server the user runs (OPENAI_BASE_URL)
        yield Provided(build_tiers(config))
        return
    try:
        with local_server(os.environ) as server:
            tiers = build_tiers(
                replace(
                    config,
                    base_url=server.base_url,
                    fast_model=server.fast_model,
                    strong_model=server.strong_model,
                )
            )
            yield Provided(tiers, lambda: server.process.poll() is None)
    except LocalUnavailable as exc:
        raise ProviderUnavailable(str(exc)) from exc
