from __future__ import annotations

from decimal import Decimal

import pytest

from tools.money import format_cents, to_cents


@pytest.mark.parametrize(
    ("amount", "cents"), [("129.00", 12900), ("49", 4900), ("0.5", 50), ("-1.25", -125)]
)
def test_to_cents(amount: str, cents: int) -> None:
    assert to_cents(Decimal(amount)) == cents


@pytest.mark.parametrize("amount", ["0.001", "NaN", "Infinity"])
def test_to_cents_refuses_what_cannot_be_cents(amount: str) -> None:
    with pytest.raises(ValueError):
        to_cents(Decimal(amount))


@pytest.mark.parametrize(("cents", "text"), [(12900, "129.00"), (5, "0.05"), (-125, "-1.25")])
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text
