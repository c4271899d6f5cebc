from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pydantic import ValidationError

from persistence.world.store import read, write
from tools.payments import build_issue_refund
from tools.spec import AlreadyDone, ToolCallContext, ToolRejected
from tools.world import World

DANA = {"order_id": 5531, "customer_id": 1042, "amount": "129.00", "currency": "USD"}


def _refund(world: World, ctx: ToolCallContext, **overrides: Any) -> dict[str, Any]:
    spec = build_issue_refund(world)
    args = {**DANA, "reason": "duplicate charge", **overrides}
    return spec.run(spec.validate_args(args), ctx)  # type: ignore[no-any-return]


def _refund_rows(world: World, order_id: int) -> list[tuple[Any, ...]]:
    columns = ("id", "charge_id", "amount_cents", "currency", "idempotency_key")
    with read(world) as conn:
        sql = f"SELECT {', '.join(columns)} FROM refunds WHERE order_id = ? ORDER BY created_at, id"
        return [tuple(r[c] for c in columns) for r in conn.execute(sql, (order_id,))]


@pytest.fixture
def world(engine_world: World) -> World:
    """Every test here on both engines."""
    return engine_world


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
        ({"amount": "129.01"}, "exceeds the refundable 129.00 USD left on charge ch_5531_2"),
        ({"charge_id": "ch_9999_1"}, "charge ch_9999_1 does not exist"),
        ({"charge_id": "ch_5556_1"}, "charge ch_5556_1 is not a charge of order 5531"),
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
    with pytest.raises(AlreadyDone, match=r"already refunded in full \(refundable 0\.00 USD"):
        _refund(world, make_ctx(), **tom, amount="0.01")


def test_failed_charge_attempts_are_not_refundable(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    priya = {"order_id": 5579, "customer_id": 1021, "currency": "USD"}
    with pytest.raises(ToolRejected, match=r"refundable 15\.00 USD"):
        _refund(world, make_ctx(), **priya, amount="30.00")


def test_concurrent_refunds_of_one_duplicate_charge_refund_it_once(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    # Order 5531 captured 2 x 129.00; six workers each try to refund the duplicate under
    # new keys, as six threads would. The backend alone (no ledger) lets one through.
    def attempt(i: int) -> str:
        try:
            _refund(world, make_ctx(f"race{i}"))
            return "ok"
        except AlreadyDone:
            return "already done"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["already done"] * 5 + ["ok"]
    assert [(row[1], row[2]) for row in _refund_rows(world, 5531)] == [("ch_5531_2", 12900)]


def test_concurrent_retries_of_one_call_refund_once(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: _refund(world, make_ctx("retry")), range(6)))
    assert len({r["refund_id"] for r in results}) == 1
    assert [r["duplicate"] for r in results].count(False) == 1
    assert len(_refund_rows(world, 5531)) == 1


def _refund_outside_baton(world: World, charge_id: str | None, cents: int) -> None:
    """A row written straight into the refunds table, as a payments team would."""
    with write(world) as conn:
        conn.execute(
            "INSERT INTO refunds VALUES ('re_manual', ?, 5531, 1042, ?, 'USD', 'by hand',"
            " 'manual-1', '2025-06-01T10:00:00Z')",
            (charge_id, cents),
        )


@pytest.mark.parametrize("charge_id", ["ch_5531_2", None])
def test_a_charge_refunded_outside_baton_is_not_refunded_again(
    world: World, make_ctx: Callable[..., ToolCallContext], charge_id: str | None
) -> None:
    # A refund naming no charge counts against the order's latest capture (the duplicate).
    _refund_outside_baton(world, charge_id, 12900)
    with pytest.raises(AlreadyDone, match=r"re_manual 129\.00 USD at 2025-06-01T10:00:00Z") as exc:
        _refund(world, make_ctx())
    assert exc.value.prior == [
        {
            "refund_id": "re_manual",
            "amount": "129.00 USD",
            "at": "2025-06-01T10:00:00Z",
            "key": "manual-1",
        }
    ]
    assert [row[0] for row in _refund_rows(world, 5531)] == ["re_manual"]


def test_a_partial_refund_outside_baton_leaves_the_remainder(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    _refund_outside_baton(world, "ch_5531_2", 5000)
    with pytest.raises(ToolRejected, match=r"exceeds the refundable 79\.00 USD left on charge"):
        _refund(world, make_ctx())
    assert _refund(world, make_ctx(), amount="79.00")["amount"] == "79.00"
    assert sum(row[2] for row in _refund_rows(world, 5531)) == 12900


def test_a_named_charge_is_refunded_and_a_failed_one_refused(
    world: World, make_ctx: Callable[..., ToolCallContext]
) -> None:
    first = _refund(world, make_ctx("named"), charge_id="ch_5531_1", amount="10.00")
    assert _refund_rows(world, 5531) == [(first["refund_id"], "ch_5531_1", 1000, "USD", "named")]
    priya = {"order_id": 5579, "customer_id": 1021, "currency": "USD", "amount": "15.00"}
    with pytest.raises(ToolRejected, match="charge ch_5579_0 was not captured"):
        _refund(world, make_ctx(), **priya, charge_id="ch_5579_0")


def test_standing_shows_the_refundable_remainder_and_who_refunded(world: World) -> None:
    spec = build_issue_refund(world)
    assert spec.fact is not None and spec.fact.standing is not None
    args = spec.validate_args({**DANA, "reason": "duplicate charge"})
    assert spec.fact.key(args) == "refund of charge ch_5531_2"
    assert spec.fact.standing(args) == {
        "charge_id": "ch_5531_2",
        "charge": "129.00 USD",
        "refunded": "0.00 USD",
        "refundable": "129.00 USD",
        "refunds": [],
    }
    _refund_outside_baton(world, "ch_5531_2", 5000)
    standing = spec.fact.standing(args)
    assert (standing["refundable"], standing["refunded"]) == ("79.00 USD", "50.00 USD")
    assert [r["refund_id"] for r in standing["refunds"]] == ["re_manual"]
