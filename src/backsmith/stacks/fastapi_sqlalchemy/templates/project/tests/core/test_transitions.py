"""Moves of an enum field: allowed, kept, and refused with the allowed ones named."""

import pytest

from app.core.errors import Conflict
from app.core.transitions import check_transition

MOVES = {"open": ("doing", "closed"), "doing": ("closed",), "closed": ()}


@pytest.mark.parametrize(("current", "wanted"), [("open", "doing"), ("doing", "closed")])
def test_an_allowed_move_passes(current: str, wanted: str) -> None:
    check_transition("status", current, wanted, MOVES)


@pytest.mark.parametrize("wanted", [None, "closed"])
def test_keeping_the_value_passes(wanted: str | None) -> None:
    check_transition("status", "closed", wanted, MOVES)


def test_a_refused_move_names_the_allowed_ones() -> None:
    with pytest.raises(Conflict) as raised:
        check_transition("status", "open", "nowhere", MOVES)
    assert raised.value.detail == (
        "status cannot move from open to nowhere; allowed from open: doing, closed."
    )


def test_a_final_value_allows_nothing() -> None:
    with pytest.raises(Conflict) as raised:
        check_transition("status", "closed", "open", MOVES)
    assert "nothing, it is final" in raised.value.detail
