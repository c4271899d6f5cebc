from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from persistence.world.store import read
from tools.spec import ToolCallContext, ToolRejected
from tools.tickets import build_file_ticket
from tools.world import World

TICKET = {
    "product": "Billing",
    "severity": "high",
    "title": "Checkout charges cards twice",
    "summary": "Orders 5531 and 5602 were captured twice minutes apart.",
    "body": "1. Pay for a plan\n2. See two captures",
    "customer_id": 1042,
}


def _file(world: World, ctx: ToolCallContext, **overrides: Any) -> dict[str, Any]:
    spec = build_file_ticket(world)
    return spec.run(spec.validate_args({**TICKET, **overrides}), ctx)  # type: ignore[no-any-return]


def _count(world: World) -> int:
    with read(world) as conn:
        return int(conn.execute("SELECT COUNT(*) AS n FROM tickets").fetchone()["n"])


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


def test_same_key_returns_the_same_ticket(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    first = _file(world, make_ctx("t1"))
    again = _file(world, make_ctx("t1"))
    assert isinstance(first["ticket_id"], int)
    assert first["duplicate"] is False
    assert again == {**first, "duplicate": True}
    assert _count(world) == 1
    other = _file(world, make_ctx("t2"), customer_id=None)
    assert other["ticket_id"] != first["ticket_id"]
    assert _count(world) == 2


def test_unknown_customer_is_rejected(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with pytest.raises(ToolRejected, match="customer 4242 does not exist"):
        _file(world, make_ctx(), customer_id=4242)
    assert _count(world) == 0
