from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from tools.payments import build_issue_refund
from tools.spec import ToolCallContext, ToolRejected
from tools.world import World
from tools.world_db import connect

DANA = {"order_id": 5531, "customer_id": 1042, "amount": "129.00", "currency": "USD"}


def _refund(world: World, ctx: ToolCallContext, **overrides: Any) -> dict[str, Any]:
    spec = build_issue_refund(world)
    args = {**DANA, "reason": "duplicate charge", **overrides}
    return spec.run(spec.validate_args(args), ctx)  # type: ignore[no-any-return]


def _refund_rows(world: World, order_id: int) -> list[tuple[Any, ...]]:
    conn = connect(world, readonly=True)
    try:
        sql = "SELECT id, charge_id, amount_cents, currency, idempotency_key FROM refunds"
        return [tuple(r) for r in conn.execute(sql + " WHERE order_id = ?", (order_id,))]
    finally:
        conn.close()


def test_refund_of_the_duplicate_charge_succeeds(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    result = _refund(world, make_ctx("k1"))
    assert result == {
        "refund_id": result["refund_id"],
        "order_id": 5531,
        "customer_id": 1042,
        "amount": "129.00",
        "currency": "USD",
        "status": "succeeded",
        "duplicate": False,
    }
    assert result["refund_id"].startswith("re_")
    assert _refund_rows(world, 5531) == [(result["refund_id"], "ch_5531_2", 12900, "USD", "k1")]
    assert not build_issue_refund(world).reversible


def test_same_key_returns_the_recorded_refund_once(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    first = _refund(world, make_ctx("same"))
    again = _refund(world, make_ctx("same"))
    assert again == {**first, "duplicate": True}
    assert len(_refund_rows(world, 5531)) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"order_id": 9999}, "order 9999 does not exist"),
        ({"customer_id": 1077}, "order 5531 does not belong to customer 1077"),
        ({"currency": "EUR"}, "currency EUR does not match order 5531's currency USD"),
        ({"amount": "258.01"}, "exceeds the refundable 258.00 USD left on order 5531"),
        ({"amount": "1.005"}, "more than two decimal places"),
    ],
)
def test_each_rule_rejects_with_a_clear_message(
    world: World, make_ctx: Callable[..., ToolCallContext], overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ToolRejected, match=message):
        _refund(world, make_ctx(), **overrides)
    assert _refund_rows(world, 5531) == []


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_a_refund_that_is_not_positive_fails_argument_validation(world: World, amount: str) -> None:
    spec = build_issue_refund(world)
    args = {"order_id": 5531, "customer_id": 1042, "currency": "USD", "reason": "x"}
    with pytest.raises(ValidationError, match="greater than 0"):
        spec.validate_args({**args, "amount": amount})
    assert _refund_rows(world, 5531) == []


def test_currency_case_is_normalised(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    assert _refund(world, make_ctx(), currency="usd")["currency"] == "USD"


def test_prior_refunds_reduce_what_can_be_refunded(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    tom = {"order_id": 5495, "customer_id": 1015, "currency": "USD"}
    with pytest.raises(ToolRejected, match=r"refundable 59\.00 USD .* already refunded 20\.00"):
        _refund(world, make_ctx(), **tom, amount="79.00")
    assert _refund(world, make_ctx(), **tom, amount="59.00")["amount"] == "59.00"
    with pytest.raises(ToolRejected, match=r"refundable 0\.00 USD"):
        _refund(world, make_ctx(), **tom, amount="0.01")


def test_failed_charge_attempts_are_not_refundable(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    priya = {"order_id": 5579, "customer_id": 1021, "currency": "USD"}
    with pytest.raises(ToolRejected, match=r"refundable 15\.00 USD"):
        _refund(world, make_ctx(), **priya, amount="30.00")


def test_concurrent_refunds_cannot_exceed_the_captured_total(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    # Order 5531 captured 2 x 129.00; six workers each try to refund 129.00 under new keys.
    def attempt(i: int) -> str:
        try:
            _refund(world, make_ctx(f"race{i}"))
            return "ok"
        except ToolRejected:
            return "rejected"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert outcomes.count("ok") == 2
    assert sum(row[2] for row in _refund_rows(world, 5531)) == 25800


def test_concurrent_retries_of_one_call_refund_once(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: _refund(world, make_ctx("retry")), range(6)))
    assert len({r["refund_id"] for r in results}) == 1
    assert [r["duplicate"] for r in results].count(False) == 1
    assert len(_refund_rows(world, 5531)) == 1
