"""Finding the customer a request names: one match, or a question instead of a guess."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from persistence.world.store import write
from tools.customers import FindCustomerArgs, build_find_customer, find_customer
from tools.world import World


def _find(world: World, **args: Any) -> dict[str, Any]:
    return find_customer(world, FindCustomerArgs.model_validate(args))


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


@pytest.mark.parametrize(
    "args",
    [
        {"name": "Dana Whitfield"},
        {"name": "  dana   WHITFIELD "},
        {"name": "Whitfield"},
        {"email": "Dana.Whitfield@example.com"},
        {"name": "Dana Whitfield", "email": "dana.whitfield@example.com"},
    ],
)
def test_one_match_is_the_customer(world: World, args: dict[str, Any]) -> None:
    assert _find(world, **args) == {
        "matches": 1,
        "customer_id": 1042,
        "name": "Dana Whitfield",
        "email": "dana.whitfield@example.com",
        "tier": "pro",
    }


def test_accents_do_not_matter(world: World) -> None:
    assert _find(world, name="Lea Martin")["customer_id"] == 1089


def test_several_matches_are_counted_never_listed(world: World) -> None:
    with write(world) as conn:
        conn.execute(
            "INSERT INTO customers VALUES (1200, 'Dana Whitfield', 'dana.w@example.org',"
            " 'free', '2025-06-01T00:00:00Z')"
        )
    found = _find(world, name="Dana Whitfield")
    assert found["matches"] == 2
    assert "ask the requester which one" in found["question"]
    assert "example" not in repr(found) and "1042" not in repr(found)  # nobody is listed


def test_no_match_asks(world: World) -> None:
    found = _find(world, name="Nobody Atall")
    assert found == {
        "matches": 0,
        "question": "no customer matches name 'Nobody Atall'; ask the requester for the "
        "customer id or email",
    }
    assert _find(world, name="Dana", email="marco.ruiz@example.com")["matches"] == 0


def test_a_name_or_an_email_is_required(world: World) -> None:
    spec = build_find_customer(world)
    with pytest.raises(ValidationError, match="give a name or an email"):
        spec.validate_args({})
    assert spec.reversible
