"""State machines on enum fields: which value may become which (409 for any other move)."""

from collections.abc import Mapping

from app.core.errors import Conflict

Moves = Mapping[str, tuple[str, ...]]


def check_transition(field: str, current: str, wanted: str | None, moves: Moves) -> None:
    """Refuse moving `field` from `current` to `wanted` unless `moves` allows it.

    Keeping the current value (or not sending the field) is always allowed.
    """
    if wanted is None or str(wanted) == current:
        return
    allowed = moves.get(current, ())
    if str(wanted) not in allowed:
        raise Conflict(
            f"{field} cannot move from {current} to {wanted}; "
            f"allowed from {current}: {', '.join(allowed) or 'nothing, it is final'}."
        )
