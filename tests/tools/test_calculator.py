from __future__ import annotations

import contextlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.calculator import build_calculate, calculate
from tools.spec import ToolCallContext, ToolRejected
from tools.world import World


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("129.00 * 2 - 129.00", "129.00"),
        ("0.1 + 0.2", "0.3"),
        ("79.00 - 20.00", "59.00"),
        ("round(49 / 3, 2)", "16.33"),
        ("round(0.125, 2)", "0.13"),
        ("-(2 + 3) * 4", "-20"),
        ("7 // 2 + 7 % 2", "4"),
        ("2 ** 10", "1024"),
        ("max(1, 4.5, 3) + min(2, 8) + abs(-1)", "7.5"),
    ],
)
def test_exact_decimal_arithmetic(expression: str, expected: str) -> None:
    assert calculate(expression) == Decimal(expected)


def test_tool_returns_a_decimal_string(
    tmp_path: Path, make_ctx: Callable[..., ToolCallContext]
) -> None:
    spec = build_calculate(World(home=tmp_path))
    result = spec.run(spec.validate_args({"expression": "129.00 * 2"}), make_ctx())
    assert result == {"expression": "129.00 * 2", "result": "258.00"}
    assert spec.reversible


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("__import__('os').system('true')", "not allowed"),
        ("x + 1", "not allowed"),
        ("(1).real", "not allowed"),
        ("'a' * 3", "not allowed"),
        ("[1, 2]", "not allowed"),
        ("True + 1", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("round(1, digits=2)", "not allowed"),
        ("2 ** 100000", "exponent"),
        ("10 ** 10 ** 10", "exponent"),
        ("9 ** 999", "too large"),
        ("1e400", "too large"),
        ("1 / 0", "division by zero"),
        ("1 +", "not a valid expression"),
        ("-" * 400 + "1", "too long"),
    ],
)
def test_rejects_anything_but_arithmetic(expression: str, reason: str) -> None:
    with pytest.raises(ToolRejected, match=reason):
        calculate(expression)


@settings(max_examples=300)
@given(st.text(max_size=60) | st.text(alphabet="0123456789.e+-*/%() ,roundmaxbs", max_size=40))
def test_never_crashes_on_any_text(expression: str) -> None:
    with contextlib.suppress(ToolRejected):
        assert calculate(expression).is_finite()
