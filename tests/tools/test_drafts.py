from __future__ import annotations

from collections.abc import Callable

import pytest

from state.draft import Draft
from tools.drafts import build_draft_email
from tools.spec import ToolCallContext, ToolRejected
from tools.world import World

BODY = "Hi Dana,\n\nWe refunded the duplicate charge.\n\n— The Support Team"


def _call(world: World, ctx: ToolCallContext, **overrides: object) -> object:
    spec = build_draft_email(world)
    args = {"customer_id": 1042, "to": "dana.whitfield@example.com", "subject": "Your refund"}
    args |= {"body": BODY, **overrides}
    return spec.run(spec.validate_args(args), ctx)


def test_valid_draft_is_returned_as_a_draft(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    result = _call(world, make_ctx(), to="Dana.Whitfield@Example.com")
    assert result == {
        "saved": True,
        "draft": Draft(
            customer_id=1042, to="dana.whitfield@example.com", subject="Your refund", body=BODY
        ).model_dump(),
    }
    assert build_draft_email(world).reversible


def test_unknown_customer_is_rejected(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with pytest.raises(ToolRejected, match="customer 9999 does not exist"):
        _call(world, make_ctx(), customer_id=9999)


def test_address_not_on_file_is_rejected(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with pytest.raises(ToolRejected, match="not the email on file for customer 1042"):
        _call(world, make_ctx(), to="marco.ruiz@example.com")
