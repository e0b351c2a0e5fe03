"""An entity's list endpoint as data: its filters, sorts, search and page sizes.

Each filter is one query parameter (SPEC §3, `docs/spec.md` Lists): `?field=` on a field or
`?NAME_id=` on a relation, `__gte`/`__lte` on ordered types, `__in` on enums, and
`?relation.field=` on a many_to_one parent's field, which only matches parents the caller
may read. A renderer turns each into its parameter type and its condition; which
parameters exist, and what each compares, is decided here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from backsmith.design.storage import sort_columns
from backsmith.spec.model import ORDERED_TYPES, Entity, FeatureSpec, Field, FieldType, Relation


class FilterOp(Enum):
    EQ = "eq"
    GTE = "gte"
    LTE = "lte"
    IN = "in"  # comma-separated alternatives of an enum


@dataclass(frozen=True)
class Filter:
    """One query parameter of a list, and the column it compares."""

    param: str  # `status`, `priority__gte`, `doctor_id`, `doctor.name__in`
    op: FilterOp
    member: str  # the field or relation column compared (a parent's field: its name)
    field: Field | None  # the field compared; None for a relation's id
    owner: Entity  # the entity whose column is compared: the parent, across a relation
    across: Relation | None = None  # the many_to_one followed to the parent's field


@dataclass(frozen=True)
class Sort:
    key: str  # the public key (`starts_at`, `doctor`)
    column: str  # what it orders by (`starts_at`, `doctor_id`)
    nullable: bool


@dataclass(frozen=True)
class ListDesign:
    filters: tuple[Filter, ...]
    sorts: tuple[Sort, ...]
    default_sort: str  # `-starts_at`; `id` when the document names none
    search: tuple[str, ...]  # fields `?q=` searches, case-insensitive substring
    page_default: int
    page_max: int


def alternatives_pattern(values: tuple[str, ...]) -> str:
    """What an `__in` parameter matches: the enum's values, comma-separated, and no other."""
    alternatives = "|".join(re.escape(v) for v in values)
    return f"^({alternatives})(,({alternatives}))*$"


def field_filters(
    param: str, f: Field, owner: Entity, member: str, across: Relation | None = None
) -> list[Filter]:
    """`?param=`, with `__gte`/`__lte` on ordered types and `__in` on enums."""
    ops = [FilterOp.EQ]
    if f.type in ORDERED_TYPES:
        ops += [FilterOp.GTE, FilterOp.LTE]
    if f.type is FieldType.ENUM:
        ops.append(FilterOp.IN)
    return [
        Filter(
            param=param if op is FilterOp.EQ else f"{param}__{op.value}",
            op=op,
            member=member,
            field=f,
            owner=owner,
            across=across,
        )
        for op in ops
    ]


def list_of(entity: Entity, spec: FeatureSpec) -> ListDesign:
    """The entity's list: the document's filters in order, then those across relations."""
    filters: list[Filter] = []
    for name in entity.list.filter:
        relation = entity.relation(name)
        if relation is not None:
            filters.append(Filter(relation.column, FilterOp.EQ, relation.column, None, entity))
            continue
        f = entity.field(name)
        assert f is not None  # noqa: S101 - the spec stage checks every filter's name
        filters += field_filters(name, f, entity, name)
    for across in entity.list.across:
        relation = entity.relation(across.relation)
        parent = spec.entity(relation.target) if relation else None
        f = parent.field(across.field) if parent else None
        if relation is None or parent is None or f is None:  # the spec stage checks all three
            raise ValueError(f"filter {across.param} names an unknown field")
        filters += field_filters(across.param, f, parent, f.name, relation)
    options = entity.list
    return ListDesign(
        filters=tuple(filters),
        sorts=tuple(Sort(key, column, nullable) for key, column, nullable in sort_columns(entity)),
        default_sort=str(options.sort[0]) if options.sort else "id",
        search=tuple(options.search),
        page_default=options.page_size.default,
        page_max=options.page_size.max,
    )
