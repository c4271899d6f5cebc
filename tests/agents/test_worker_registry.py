"""The worker registry: four built-in specialists; adding one is registering a spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.workers import WorkerSpec, all_workers, get_worker, register, unregister
from tools.registry import build_tools
from tools.world import World


def test_the_built_in_workers_and_their_tools() -> None:
    assert {"analyst", "operator", "researcher", "writer"} <= set(all_workers())
    assert get_worker("operator").tools == ("issue_refund", "send_email")
    assert get_worker("researcher").tools == ("kb_search",)


def test_only_the_operator_holds_irreversible_tools(tmp_path: Path) -> None:
    tools = build_tools(World(home=tmp_path / "world"))
    for worker in all_workers().values():
        assert set(worker.tools) <= set(tools), worker.name
        irreversible = {name for name in worker.tools if not tools[name].reversible}
        assert (worker.name == "operator") == bool(irreversible), worker.name


def test_register_and_unregister() -> None:
    spec = WorkerSpec(name="tester", description="d", prompt="p", tools=("kb_search",))
    assert register(spec) is spec
    try:
        assert get_worker("tester") == spec
    finally:
        unregister("tester")
    with pytest.raises(KeyError):
        get_worker("tester")
    unregister("tester")  # removing twice is harmless
