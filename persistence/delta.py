"""Materialising a ``DeltaChannel`` into a checkpoint, so that it reads without its past.

A ``DeltaChannel`` (a worker's ``messages``) stores only what each step added; a
checkpoint's value is rebuilt by replaying its ancestors' writes from the nearest
snapshot (``BaseCheckpointSaver.get_delta_channel_history``). Removing ancestors (pruning,
deleting a run a later one continued from) would cut that chain, so before they go, each
kept checkpoint that needs them gets a ``_DeltaSnapshot`` of its value: the option
``BaseCheckpointSaver.prune``'s documentation names ("force a fresh snapshot on the kept
checkpoint before deleting ancestors"). Folding writes needs the channel's reducer, which
only the graph knows, so a saver is given the ``DeltaChannel`` specs of the graphs it
serves (``delta_channels``); a thread with a delta channel the saver was not given is
refused rather than silently rebuilt empty.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.channels.delta import DeltaChannel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.types import _DeltaSnapshot

DeltaSpecs = Mapping[str, DeltaChannel[Any]]
"""Channel name to the ``DeltaChannel`` that folds its writes."""


class UnknownDeltaChannelError(ValueError):
    """A checkpoint has delta-stored state the saver cannot fold (no spec for it)."""


def delta_channels(*schemas: type) -> dict[str, DeltaChannel[Any]]:
    """The ``DeltaChannel`` fields of these state schemas (``Annotated[T, DeltaChannel(...)]``).

    Two schemas that use one name for different channels are refused.
    """
    found: dict[str, DeltaChannel[Any]] = {}
    for schema in schemas:
        hints = typing.get_type_hints(schema, include_extras=True)
        for name, hint in hints.items():
            for extra in getattr(hint, "__metadata__", ()):
                if not isinstance(extra, DeltaChannel):
                    continue
                if name in found and found[name] != extra:
                    raise ValueError(f"channel {name!r} is a different DeltaChannel in {schema}")
                found[name] = extra
    return found


def snapshots(
    saver: BaseCheckpointSaver[Any], config: RunnableConfig, specs: DeltaSpecs
) -> dict[str, _DeltaSnapshot]:
    """A snapshot of every delta channel the checkpoint ``config`` names rebuilds from history.

    Empty when the checkpoint stores all its values (or does not exist).
    """
    found = saver.get_tuple(config)
    if found is None:
        return {}
    checkpoint, metadata = found.checkpoint, found.metadata or {}
    stored = checkpoint["channel_values"]
    versioned = checkpoint["channel_versions"]
    counted = metadata.get("counters_since_delta_snapshot") or {}
    unknown = sorted(c for c in counted if c not in specs and c not in stored and c in versioned)
    if unknown:
        raise UnknownDeltaChannelError(
            f"checkpoint {found.config['configurable']['checkpoint_id']} rebuilds "
            f"{', '.join(unknown)} from its history, and this saver was not given that "
            "DeltaChannel: nothing removed"
        )
    channels: Sequence[str] = [c for c in specs if c in versioned and c not in stored]
    if not channels:
        return {}
    histories = saver.get_delta_channel_history(config=found.config, channels=channels)
    out: dict[str, _DeltaSnapshot] = {}
    for name in channels:
        history = histories[name]
        spec = specs[name]
        seed = history.get("seed", _DeltaSnapshot(spec.typ()))
        channel = spec.from_checkpoint(seed)
        channel.replay_writes(history["writes"])
        out[name] = _DeltaSnapshot(channel.get() if channel.is_available() else spec.typ())
    return out
