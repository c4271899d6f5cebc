"""Converting between the decimal amounts tools accept and the integer cents stored."""

from __future__ import annotations

from decimal import Decimal


def to_cents(amount: Decimal) -> int:
    """Convert ``Decimal("129.00")`` to ``12900``; raises ``ValueError`` for sub-cent or NaN.

    All seeded currencies (USD, EUR) have two minor digits, so cents are exact.
    """
    if not amount.is_finite():
        raise ValueError(f"amount {amount} is not a number")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"amount {amount} has more than two decimal places")
    return int(cents)


def format_cents(cents: int) -> str:
    """Render ``12900`` as ``"129.00"`` (the form results and emails show)."""
    sign = "-" if cents < 0 else ""
    whole, minor = divmod(abs(cents), 100)
    return f"{sign}{whole}.{minor:02d}"
