"""Schemathesis against ``baton serve``'s ``/openapi.json``: no input gets a 5xx.

Requests are generated from the published schema (a bounded number per operation, with a
fixed seed) and sent over loopback to a real server with a valid API key; every answer
must be below 500. Path ids and the body's ``assistant_id`` point at a real thread and the
orchestrator, so generated bodies reach the checks behind the "not found" answers (input,
command, config, stream modes, state updates). Failures are collected across operations
and reported together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from langgraph_sdk import get_sync_client
from schemathesis.checks import not_a_server_error
from serve_process import KEYS, Server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning"),
]
POLICY = "How long does a refund for a duplicate charge take to reach the customer?"

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("serve-schema") / "home").start()
    try:
        yield running
    finally:
        running.stop()


def _aim(case: Any, thread_id: str) -> None:
    """Point the generated request at things that exist."""
    params = case.path_parameters or {}
    if "thread_id" in params:
        params["thread_id"] = thread_id
    if "assistant_id" in params:
        params["assistant_id"] = "baton"
    if isinstance(case.body, dict) and "assistant_id" in case.body:
        case.body["assistant_id"] = "baton"


def _fuzz(operation: Any, server: Server, thread_id: str, failures: list[str]) -> int:
    sent = 0

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        nonlocal sent
        _aim(case, thread_id)
        response = case.call(base_url=server.url, headers={"x-api-key": KEYS["acme"]}, timeout=60)
        sent += 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except Exception:  # schemathesis raises a FailureGroup
            failures.append(
                f"{operation.label} {case.body!r:.300}: {response.status_code} {response.text:.200}"
            )
            raise

    with suppress(Exception):  # recorded above, with the request that caused it
        check()
    return sent


def test_no_generated_request_gets_a_server_error(server: Server) -> None:
    client = get_sync_client(url=server.url, api_key=KEYS["acme"])
    thread_id = client.threads.create()["thread_id"]
    client.runs.wait(thread_id, "baton", input={"request": POLICY})
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    sent = operations = 0
    # deletions last: they would take the thread away from the operations after them
    ordered = sorted(
        (r.ok() for r in schema.get_all_operations()), key=lambda o: o.method == "delete"
    )
    for operation in ordered:
        operations += 1
        sent += _fuzz(operation, server, thread_id, failures)
    assert operations >= 30, "every route is in the schema"
    assert sent >= operations
    assert failures == []
