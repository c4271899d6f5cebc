"""The ``calculate`` tool: exact decimal arithmetic, so models do not add up money in their heads.

Expressions are parsed with :mod:`ast` and only numbers, arithmetic operators, parentheses
and ``round``/``min``/``max``/``abs`` are evaluated; ``eval`` is never used.
"""

from __future__ import annotations

import ast
import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World

MAX_EXPONENT = 1000
MAX_MAGNITUDE = Decimal(10) ** 100
MAX_NODES = 200

_BINARY: dict[type[ast.operator], Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Decimal], Decimal]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"round": round, "min": min, "max": max, "abs": abs}
MAX_ROUND_DIGITS = 28


class CalculateArgs(BaseModel):
    """Arguments of ``calculate``."""

    model_config = ConfigDict(extra="forbid")

    expression: str = Field(
        min_length=1,
        max_length=500,
        description="Arithmetic such as '129.00 * 2 - 20' or 'round(49 / 3, 2)'.",
    )


def _number(node: ast.Constant, source: str) -> Decimal:
    # The literal as typed keeps "129.00" exact and its two places; the float the parser
    # made of it would give 129.0. Hex/octal literals fall back to their int value.
    try:
        return Decimal(ast.get_source_segment(source, node) or repr(node.value))
    except decimal.InvalidOperation:
        return Decimal(repr(node.value))


def _round(values: list[Decimal]) -> Decimal:
    if len(values) > 2 or (len(values) == 2 and values[1] != values[1].to_integral_value()):
        raise ToolRejected("round takes a number and an optional whole number of digits")
    digits = int(values[1]) if len(values) == 2 else 0
    if not -MAX_ROUND_DIGITS <= digits <= MAX_ROUND_DIGITS:
        raise ToolRejected(f"round digits must be within ±{MAX_ROUND_DIGITS}")
    # Half-up, as people round money ("0.125" -> "0.13"), not Python's banker's rounding.
    return values[0].quantize(Decimal(1).scaleb(-digits), rounding=decimal.ROUND_HALF_UP)


def _evaluate(node: ast.AST, source: str) -> Decimal:
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, source)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _checked(_number(node, source))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, source))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, source), _evaluate(node.right, source)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolRejected(f"exponent {right} is too large (limit {MAX_EXPONENT})")
        return _checked(_BINARY[type(node.op)](left, right))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and not node.keywords
        and node.args
    ):
        values = [_evaluate(arg, source) for arg in node.args]
        if node.func.id == "round":
            return _checked(_round(values))
        return _checked(Decimal(_FUNCTIONS[node.func.id](*values)))
    raise ToolRejected(f"not allowed in a calculation: {ast.unparse(node)!r}")


def _checked(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_MAGNITUDE:
        raise ToolRejected("result is too large")
    return value


def calculate(expression: str) -> Decimal:
    """Evaluate ``expression`` exactly; raises ``ToolRejected`` for anything but arithmetic."""
    source = expression.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ToolRejected(f"not a valid expression: {expression!r}") from exc
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ToolRejected("expression is too long")
    context = decimal.Context(
        prec=28,
        Emax=999,
        Emin=-999,
        traps=[
            decimal.Overflow,
            decimal.DivisionByZero,
            decimal.InvalidOperation,
        ],
    )
    with decimal.localcontext(context):
        try:
            return _evaluate(tree, source)
        except ZeroDivisionError as exc:
            raise ToolRejected("division by zero") from exc
        except (decimal.DecimalException, OverflowError, ValueError) as exc:
            raise ToolRejected(f"cannot calculate {expression!r}: {type(exc).__name__}") from exc


def build_calculate(world: World) -> ToolSpec:
    """Build the calculator tool (``world`` is unused; kept so every builder looks alike)."""

    def run(args: CalculateArgs, ctx: ToolCallContext) -> dict[str, str]:
        return {"expression": args.expression, "result": format(calculate(args.expression), "f")}

    return ToolSpec(
        name="calculate",
        description=(
            "Evaluate arithmetic exactly (decimal): + - * / // % **, parentheses, round, min, "
            "max, abs. Use it for every sum of money instead of computing in your head."
        ),
        args_schema=CalculateArgs,
        reversible=True,
        run=run,
    )
