from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from persistence.database import PostgresDatabase
from tools.outbox import build_send_email, outbox_messages
from tools.spec import ToolCallContext, ToolRejected, ToolTransientError
from tools.world import World

EMAIL = {
    "to": "dana.whitfield@example.com",
    "subject": "Your refund for order 5531",
    "body": "Hi Dana,\n\nWe refunded 129.00 USD.\n\n— The Support Team",
    "customer_id": 1042,
}


def _send(world: World, ctx: ToolCallContext, **overrides: Any) -> dict[str, Any]:
    spec = build_send_email(world)
    return spec.run(spec.validate_args({**EMAIL, **overrides}), ctx)  # type: ignore[no-any-return]


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


def test_writes_a_parseable_eml_with_the_derived_message_id(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    result = _send(world, make_ctx("abc123"))
    path = world.outbox_dir / "abc123.eml"
    assert result == {
        "message_id": "<abc123@baton.local>",
        "to": "dana.whitfield@example.com",
        "subject": "Your refund for order 5531",
        "path": str(path),
        "transport": "outbox",
        "duplicate": False,
    }
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert parsed["Message-ID"] == "<abc123@baton.local>"
    assert parsed["From"] == "support@baton.example"
    assert parsed["To"] == "dana.whitfield@example.com"
    assert parsed["Date"] is not None
    assert "We refunded 129.00 USD." in parsed.get_body().get_content()  # type: ignore[union-attr]
    assert not build_send_email(world).reversible


def test_same_key_does_not_rewrite_or_duplicate(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    first = _send(world, make_ctx("k1"))
    content = Path(first["path"]).read_bytes()
    again = _send(world, make_ctx("k1"), body="A different body this time.")
    assert again == {**first, "duplicate": True}
    assert Path(first["path"]).read_bytes() == content
    assert len(outbox_messages(world)) == 1


def test_concurrent_retries_write_one_message(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: _send(world, make_ctx("race")), range(8)))
    assert [r["duplicate"] for r in results].count(False) == 1
    assert [p.name for p in world.outbox_dir.iterdir()] == ["race.eml"]


def test_outbox_messages_reads_back_in_order(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    _send(world, make_ctx("m1"), subject="first")
    _send(world, make_ctx("m2"), subject="second", to="someone@example.org", customer_id=None)
    assert [m["Subject"] for m in outbox_messages(world)] == ["first", "second"]


def test_recipient_must_be_the_customer_on_file(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with pytest.raises(ToolRejected, match="not the email on file for customer 1042"):
        _send(world, make_ctx(), to="marco.ruiz@example.com")
    assert outbox_messages(world) == []


def test_header_injection_is_refused_by_the_schema(world: World) -> None:
    with pytest.raises(ValidationError):
        build_send_email(world).validate_args({**EMAIL, "subject": "Hi\nBcc: all@example.com"})


class _Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.received.append(envelope.content)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def test_smtp_delivers_exactly_one_message(
    engine_world: World,
    smtp_server: tuple[str, _Inbox],
    make_ctx: Callable[..., ToolCallContext],
) -> None:
    url, inbox = smtp_server
    world = dataclasses.replace(engine_world, smtp_url=url)
    first = _send(world, make_ctx("smtp1"))
    again = _send(world, make_ctx("smtp1"))
    assert first["transport"] == "smtp"
    assert again == {**first, "duplicate": True}
    assert len(inbox.received) == 1
    delivered = message_from_bytes(inbox.received[0], policy=policy.default)
    assert delivered["Message-ID"] == "<smtp1@baton.local>"
    assert delivered["X-Baton-Transport"] is None
    assert len(outbox_messages(world)) == 1


def test_unreachable_smtp_is_transient_and_records_nothing(
    engine_world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    world = dataclasses.replace(engine_world, smtp_url=f"smtp://127.0.0.1:{_free_port()}")
    with pytest.raises(ToolTransientError, match="unreachable"):
        _send(world, make_ctx("down"))
    assert outbox_messages(world) == []


def test_two_homes_on_one_postgres_database_send_each_key_once(
    postgres_url: str,
    tmp_path: Path,
    smtp_server: tuple[str, _Inbox],
    make_ctx: Callable[..., ToolCallContext],
) -> None:
    # Two replicas: different homes, one database. The key's row in PostgreSQL is the
    # record, so the second replica neither sends nor records the email again.
    url, inbox = smtp_server
    database = PostgresDatabase(postgres_url)
    one = World(tmp_path / "one", smtp_url=url, database=database)
    two = World(tmp_path / "two", smtp_url=url, database=database)
    one.init()
    assert not two.init()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda w: _send(w, make_ctx("shared")), [one, two, one, two]))
    assert [r["duplicate"] for r in results].count(False) == 1
    assert len(inbox.received) == 1
    assert [m["Message-ID"] for m in outbox_messages(two)] == ["<shared@baton.local>"]
    assert (tmp_path / "two" / "outbox" / "shared.eml").is_file()  # each home's copy
    reconciliation = build_send_email(two).reconciliation
    assert reconciliation is not None and reconciliation.outcome_known(make_ctx("shared"))
    assert not reconciliation.outcome_known(make_ctx("never-sent"))
