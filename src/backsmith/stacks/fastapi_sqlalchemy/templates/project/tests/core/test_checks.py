"""Three-valued logic and arithmetic of cross-field checks, as SQL would answer."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app.core.checks import (
    all_of,
    any_of,
    compare,
    divided,
    first_broken,
    member,
    minus,
    negate,
    negative,
    not_member,
    plus,
    times,
)


def test_and_or_not_are_three_valued() -> None:
    assert all_of(True, None) is None and all_of(False, None) is False
    assert all_of(True, True) is True
    assert any_of(False, None) is None and any_of(True, None) is True
    assert any_of(False, False) is False
    assert negate(None) is None and negate(True) is False


@pytest.mark.parametrize(
    ("left", "op", "right", "expected"),
    [
        (1, "<", 2, True),
        (2, "<=", 2, True),
        (3, ">", 2, True),
        (2, ">=", 3, False),
        ("a", "==", "a", True),
        ("a", "!=", "a", False),
        (Decimal("0.1"), "==", 0.1, True),
        (None, "==", None, None),
        (1, "<", None, None),
    ],
)
def test_compare(left: object, op: str, right: object, expected: bool | None) -> None:
    assert compare(left, op, right) is expected


def test_membership() -> None:
    assert member("a", ("a", "b")) is True
    assert not_member("a", ("a", "b")) is False
    assert member(None, ("a",)) is None


def test_arithmetic_on_numbers() -> None:
    assert plus(1, 2) == 3 and minus(Decimal("1.5"), 0.5) == Decimal("1.0")
    assert times(2, Decimal("2.5")) == Decimal("5.0") and divided(1, 4) == 0.25
    assert divided(1, 0) is None and plus(None, 1) is None and negative(2) == -2


def test_arithmetic_on_dates_counts_days() -> None:
    assert plus(date(2024, 1, 30), 3) == date(2024, 2, 2)
    assert plus(2, date(2024, 1, 30)) == date(2024, 2, 1)
    assert minus(date(2024, 3, 1), date(2024, 2, 1)) == 29
    assert minus(date(2024, 3, 1), 1) == date(2024, 2, 29)
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert minus(end, start) == 0.5
    assert plus(date(9999, 12, 31), 1) is None  # beyond the calendar: unknown


def test_first_broken_names_the_first_false_check_and_lets_unknown_pass() -> None:
    checks = [
        (lambda row: compare(row["a"], ">", 0), "a must be positive"),
        (lambda row: compare(row["a"], "<", 10), "a must be below 10"),
    ]
    assert first_broken(checks, {"a": 5}) is None
    assert first_broken(checks, {"a": None}) is None
    assert first_broken(checks, {"a": -1}) == "a must be positive"
    assert first_broken(checks, {"a": 11}) == "a must be below 10"


def test_decimal_overflow_is_unknown() -> None:
    huge = Decimal("1E+999999")
    assert times(huge, huge) is None
