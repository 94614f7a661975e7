"""A small, safe expression language for pattern formulas.

Formulas are parsed with :mod:`ast` and evaluated by walking a whitelist of
node types; nothing is passed to ``eval``/``exec`` and no attribute other than
``point.x`` / ``point.y`` can be reached, so an uploaded definition can never
run code or touch files.

Grammar: numbers, names (measurements, parameters, earlier values), ``+ - * /
**`` and unary minus, parentheses, ``point.x`` / ``point.y``, and calls to
``min max abs sqrt sin cos tan asin acos atan atan2 radians degrees
dist angle``. Angles are in degrees for ``sin cos tan`` and returned in
degrees by ``asin acos atan atan2 angle``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping

from garment3d.errors import InvalidPatternError

__all__ = ["Point", "evaluate_formula", "check_formula"]

MAX_FORMULA_LENGTH = 400
MAX_POWER = 16.0

Point = tuple[float, float]


def _dist(a: Point, b: Point) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def _angle(a: Point, b: Point) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


_FUNCTIONS = {
    "min": (min, None),
    "max": (max, None),
    "abs": (abs, 1),
    "sqrt": (math.sqrt, 1),
    "sin": (lambda d: math.sin(math.radians(d)), 1),
    "cos": (lambda d: math.cos(math.radians(d)), 1),
    "tan": (lambda d: math.tan(math.radians(d)), 1),
    "asin": (lambda x: math.degrees(math.asin(x)), 1),
    "acos": (lambda x: math.degrees(math.acos(x)), 1),
    "atan": (lambda x: math.degrees(math.atan(x)), 1),
    "atan2": (lambda y, x: math.degrees(math.atan2(y, x)), 2),
    "radians": (math.radians, 1),
    "degrees": (math.degrees, 1),
    "dist": (_dist, 2),
    "angle": (_angle, 2),
}
_POINT_FUNCTIONS = {"dist", "angle"}

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


class _Evaluator:
    def __init__(self, names: Mapping[str, float], points: Mapping[str, Point], where: str):
        self.names = names
        self.points = points
        self.where = where

    def fail(self, message: str) -> InvalidPatternError:
        return InvalidPatternError(f"{self.where}: {message}")

    def number(self, node: ast.AST) -> float:
        value = self.visit(node)
        if isinstance(value, tuple):
            raise self.fail("a point was used where a number is expected")
        return value

    def visit(self, node: ast.AST) -> float | Point:
        if isinstance(node, ast.Expression):
            return self.visit(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            try:
                return float(node.value)
            except OverflowError:  # an integer literal beyond any float
                raise self.fail(f"number {ast.unparse(node)[:20]}... out of range") from None
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.number(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.fail(f"unsupported syntax '{ast.unparse(node)}'")

    def name(self, name: str) -> float | Point:
        if name in self.names:
            return float(self.names[name])
        if name in self.points:
            return self.points[name]
        raise self.fail(f"unknown name '{name}'")

    def attribute(self, node: ast.Attribute) -> float:
        if not isinstance(node.value, ast.Name) or node.attr not in ("x", "y"):
            raise self.fail(f"only point.x and point.y are allowed, not '{ast.unparse(node)}'")
        if node.value.id not in self.points:
            raise self.fail(f"unknown point '{node.value.id}'")
        point = self.points[node.value.id]
        return point[0] if node.attr == "x" else point[1]

    def binary(self, node: ast.BinOp) -> float:
        left, right = self.number(node.left), self.number(node.right)
        if isinstance(node.op, ast.Div) and right == 0:
            raise self.fail(f"division by zero in '{ast.unparse(node)}'")
        if isinstance(node.op, ast.Pow) and (abs(right) > MAX_POWER or (left < 0 and right != int(right))):
            raise self.fail(f"power out of range in '{ast.unparse(node)}'")
        try:
            return _BINARY[type(node.op)](left, right)
        except ZeroDivisionError:  # 0 ** negative
            raise self.fail(f"division by zero in '{ast.unparse(node)}'") from None
        except OverflowError:  # 1e300 ** 2
            raise self.fail(f"result out of range in '{ast.unparse(node)}'") from None

    def call(self, node: ast.Call) -> float:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise self.fail(f"unknown function '{ast.unparse(node.func)}'")
        if node.keywords:
            raise self.fail(f"keyword arguments are not allowed in '{ast.unparse(node)}'")
        name = node.func.id
        function, arity = _FUNCTIONS[name]
        if (arity is not None and len(node.args) != arity) or not node.args:
            raise self.fail(f"{name}() takes {arity or 'one or more'} argument(s)")
        if name in _POINT_FUNCTIONS:
            args = [self.point(a) for a in node.args]
        else:
            args = [self.number(a) for a in node.args]
        try:
            return float(function(*args))
        except (ValueError, OverflowError) as exc:
            raise self.fail(f"{name}() failed: {exc}") from None

    def point(self, node: ast.AST) -> Point:
        value = self.visit(node)
        if not isinstance(value, tuple):
            raise self.fail(f"'{ast.unparse(node)}' is not a point")
        return value


def _parse(text: str, where: str) -> ast.Expression:
    if not isinstance(text, (str, int, float)) or isinstance(text, bool):
        raise InvalidPatternError(f"{where}: a formula must be a string or a number")
    text = str(text)
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidPatternError(f"{where}: formula longer than {MAX_FORMULA_LENGTH} characters")
    try:
        return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise InvalidPatternError(f"{where}: cannot parse formula '{text}': {exc.msg}") from None


def evaluate_formula(
    text: str | float,
    names: Mapping[str, float],
    points: Mapping[str, Point] | None = None,
    where: str = "formula",
) -> float:
    """Evaluate one formula to a finite float, or raise InvalidPatternError naming ``where``."""
    evaluator = _Evaluator(names, points or {}, where)
    value = evaluator.number(_parse(text, where))
    if not math.isfinite(value):
        raise InvalidPatternError(f"{where}: formula '{text}' is not finite")
    return value


def check_formula(text: str | float, where: str = "formula") -> None:
    """Parse only (syntax and whitelist are checked at evaluation)."""
    _parse(text, where)
