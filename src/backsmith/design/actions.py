"""Custom actions as test data: the rows a generated test runs each action on.

An action (`POST /things/{id}/NAME`) sets fixed values when its guard holds, its moves are
allowed and the changed row meets every check. A test needs a row it applies to, a second
such row where unique values allow one, and a row its guard refuses; each is found here
within the fields' constraints, from the document alone, by the same search the checks'
test data uses (`design.checks`), so every renderer's tests run the same cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from backsmith.design.checks import check_data, evaluate, keys_apart_from
from backsmith.design.storage import TENANT
from backsmith.spec.model import CustomAction, Entity, FieldType

# Types whose JSON value comes back exactly as it was sent (others are normalised:
# emails lower-cased, URLs given a trailing slash, datetimes converted to UTC ...).
ECHOED_TYPES = frozenset(
    {
        FieldType.STR,
        FieldType.TEXT,
        FieldType.INT,
        FieldType.BIGINT,
        FieldType.BOOL,
        FieldType.ENUM,
        FieldType.JSON,
        FieldType.DATE,
    }
)


@dataclass(frozen=True)
class ActionRows:
    """The rows one action's tests make, as overrides of the entity's samples."""

    ready: dict[str, Any]  # over the first sample: the guard holds and the move is allowed
    # Over the last sample, a second such row with its unique values apart from `ready`'s;
    # None: no second row can hold them (one row then serves every caller refused).
    again: dict[str, Any] | None
    expected: dict[str, Any]  # JSON values the action sets that a read echoes
    stamped: list[str]  # readable fields it sets to the current day or time
    blocked: dict[str, Any] | None  # over the first sample: the guard refuses; None: no guard
    message: str  # the guard's 409 message


def moves_of(entity: Entity, action: CustomAction) -> dict[str, dict[str, tuple[str, ...]]]:
    """The transitions of the fields `action` sets: field -> from each value, its moves."""
    return {t.field: dict(t.moves) for t in entity.transitions if t.field in action.values}


def action_rows(
    entity: Entity,
    action: CustomAction,
    samples: list[dict[str, Any]],
    unique: list[tuple[str, ...]],
) -> ActionRows | None:
    """Rows to run `action` on, or None when no row within the fields' constraints is
    ready for it. `unique` holds each uniqueness's members as the samples' keys name them
    (`owner_id` and the tenant, which one user's rows share, are left out of the search)."""
    sample = samples[0]
    data = check_data(entity)
    by_name = {f.name: f for f in entity.fields}
    after = {**action.values, **{name: dt.datetime.now(dt.UTC) for name in action.stamped}}
    moves = moves_of(entity, action)

    def holds(payload: dict[str, Any]) -> bool | None:
        return True if action.guard is None else evaluate(action.guard.tree, data.row(payload))

    def may_move(payload: dict[str, Any]) -> bool:
        for name, allowed in moves.items():
            current, target = str(payload.get(name)), after[name]
            if current != target and target not in allowed.get(current, ()):
                return False
        return True

    def ready(payload: dict[str, Any]) -> bool:
        return (
            holds(payload) is True
            and may_move(payload)
            and data.meets_all(payload)
            and data.meets_all({**payload, **after})
        )

    guard_fields = action.guard.fields if action.guard else ()
    found = data.find(sample, tuple(dict.fromkeys([*guard_fields, *after])), ready)
    if found is None:
        return None

    def server_set(name: str) -> bool:
        """A field the samples never carry (read_only): every row gets its default."""
        return name in by_name and name not in sample

    # One user's rows share their owner and tenant, and a field no request sets its
    # default: a key over those and the overrides is decided by the overrides alone (and
    # one with a field no request sets nor defaults is null: it never collides).
    def shared(name: str) -> bool:
        return name in ("owner_id", TENANT) or (server_set(name) and by_name[name].has_default)

    def always_null(name: str) -> bool:
        return server_set(name) and not by_name[name].has_default

    groups = [
        kept
        for group in unique
        if not any(always_null(name) for name in group)
        and (kept := tuple(name for name in group if not shared(name)))
        and all(name in found for name in kept)
    ]
    apart = keys_apart_from(groups, [found])  # no key over the overrides alone as found's
    again = (
        data.find(samples[-1], tuple(found), lambda p: ready(p) and apart(p)) if groups else found
    )
    blocked = None
    if action.guard is not None:
        blocked = data.find(
            sample, guard_fields, lambda p: holds(p) is not True and data.meets_all(p)
        )
    expected = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in action.values.items()
        if by_name[name].type in ECHOED_TYPES and by_name[name].readable
    }
    return ActionRows(
        ready=found,
        again=again,
        expected=expected,
        stamped=[name for name in action.stamped if by_name[name].readable],
        blocked=blocked,
        message=action.guard.message if action.guard else "",
    )
