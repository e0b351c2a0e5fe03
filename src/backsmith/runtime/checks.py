"""The runtime of cross-field checks: three-valued logic over a row's values.

backsmith prints each check of the feature document as calls to these functions (no
`eval` anywhere). As in a SQL CHECK constraint, a comparison or a sum with an empty (None)
value is unknown (None), `and`/`or`/`not` follow SQL's three-valued logic, and a check
fails only when it is False: an unknown check passes. Numbers of different kinds (int,
float, Decimal) combine exactly; a date or datetime moves by a number of days, and the
difference of two of them is a number of days.

This module uses the standard library only: backsmith loads it too, to evaluate checks on
the test data it generates, so both agree on what a check means.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

Value = Any  # a field value: a number, text, bool, date, datetime, time or None
Row = Mapping[str, Value]
Check = tuple[Callable[[Row], bool | None], str]  # the condition and its message

SECONDS_PER_DAY = 86400


def first_broken(checks: Iterable[Check], row: Row) -> str | None:
    """The message of the first check `row` breaks (evaluates to False), or None."""
    for condition, message in checks:
        if condition(row) is False:
            return message
    return None


def all_of(*values: bool | None) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def any_of(*values: bool | None) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def _numbers(left: Value, right: Value) -> tuple[Value, Value]:
    """Decimals and floats do not mix in Python: a float joins a Decimal as its text."""
    if isinstance(left, Decimal) and isinstance(right, float):
        return left, Decimal(str(right))
    if isinstance(right, Decimal) and isinstance(left, float):
        return Decimal(str(left)), right
    return left, right


def compare(left: Value, op: str, right: Value) -> bool | None:
    if left is None or right is None:
        return None
    left, right = _numbers(left, right)
    if op == "==":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def member(value: Value, options: Iterable[Value]) -> bool | None:
    return None if value is None else value in tuple(options)


def not_member(value: Value, options: Iterable[Value]) -> bool | None:
    return negate(member(value, options))


def _is_temporal(value: Value) -> bool:
    return isinstance(value, (date, datetime))


def plus(left: Value, right: Value) -> Value:
    if left is None or right is None:
        return None
    try:
        if _is_temporal(left):
            return left + timedelta(days=float(right))
        if _is_temporal(right):
            return right + timedelta(days=float(left))
        left, right = _numbers(left, right)
        return left + right
    except ArithmeticError:  # beyond the calendar or Decimal's range (OverflowError ...)
        return None


def minus(left: Value, right: Value) -> Value:
    if left is None or right is None:
        return None
    try:
        if _is_temporal(left) and _is_temporal(right):
            return (left - right).total_seconds() / SECONDS_PER_DAY
        if _is_temporal(left):
            return left - timedelta(days=float(right))
        left, right = _numbers(left, right)
        return left - right
    except ArithmeticError:
        return None


def times(left: Value, right: Value) -> Value:
    if left is None or right is None:
        return None
    left, right = _numbers(left, right)
    try:
        return left * right
    except ArithmeticError:
        return None


def divided(left: Value, right: Value) -> Value:
    """`a / b`; unknown when b is zero (so the check passes, like a NULL in SQL)."""
    if left is None or right is None or right == 0:
        return None
    left, right = _numbers(left, right)
    try:
        return left / right
    except ArithmeticError:
        return None


def negative(value: Value) -> Value:
    return None if value is None else -value
