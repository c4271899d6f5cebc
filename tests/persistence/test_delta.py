"""Delta channels: found in Baton's states; a saver never rebuilds one it cannot fold."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

import pytest
from langgraph.channels.delta import DeltaChannel

from bench.growth import build_appender
from graphs.checkpointer import graph_delta_channels
from graphs.settings import Settings
from persistence.delta import UnknownDeltaChannelError, delta_channels
from persistence.sqlite.connect import connect
from persistence.sqlite.saver import BatonSaver


def test_the_workers_messages_are_the_delta_channel() -> None:
    assert set(graph_delta_channels()) == {"messages"}


def test_one_name_for_two_different_channels_is_refused() -> None:
    class A(TypedDict):
        items: Annotated[list[Any], DeltaChannel(lambda s, w: s + w)]

    class B(TypedDict):
        items: Annotated[list[Any], DeltaChannel(lambda s, w: s + w, snapshot_frequency=3)]

    with pytest.raises(ValueError, match="different DeltaChannel"):
        delta_channels(A, B)


def test_a_saver_without_the_channel_refuses_to_prune_and_removes_nothing(
    settings: Settings,
) -> None:
    saver = BatonSaver(connect(settings.db_path, check_same_thread=False))  # no delta specs
    saver.setup()
    graph = build_appender(3, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"steps": 0}, config)
    before = graph.get_state(config).values
    count = saver.conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
    with pytest.raises(UnknownDeltaChannelError, match="messages"):
        saver.prune(["t"])
    assert saver.conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] == count
    assert graph.get_state(config).values == before
    saver.close()
