"""README's embedding snippets run: the Python API in process, the SDK against baton serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from readme_snippets import embedding_snippets, load
from serve_process import KEYS, Server

from tools.world import World

pytestmark = pytest.mark.e2e

DOUBLE = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."


def test_the_section_shows_the_python_api_and_the_sdk() -> None:
    api, sdk = embedding_snippets()
    assert "build_orchestrator" in api and "get_client" in sdk


async def test_the_python_api_snippet_runs_a_turn_to_its_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BATON_HOME", str(tmp_path / "home"))
    World(tmp_path / "home").init()  # as `baton world init` would
    chat = load(embedding_snippets()[0])["chat"]
    answer = await chat(DOUBLE, "readme-thread")
    assert "refund" in answer.lower()
    assert len(list((tmp_path / "home" / "outbox").glob("*.eml"))) == 1


async def test_the_sdk_snippet_runs_against_baton_serve(tmp_path: Path) -> None:
    server = Server(tmp_path / "home").start()
    try:
        chat_over_http = load(embedding_snippets()[1])["chat_over_http"]
        answer = await chat_over_http(DOUBLE, url=server.url, api_key=KEYS["acme"])
        assert "refund" in answer.lower()
        assert server.refunds(5531) == [12900] and len(server.emails()) == 1
    finally:
        server.stop()
