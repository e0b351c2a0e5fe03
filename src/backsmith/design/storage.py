"""How a feature's rows are stored, as data: tables, columns, keys and indexes.

Decided once from the document's meaning; a renderer maps each logical column type to its
ORM's (a `str` without `max_length` is `String()` in one project and `Text()` in another)
and prints the constraints and indexes, but never decides which exist. Each index says
why it exists, so a reader of the design can tell a declared index from one that keeps a
list's pages cheap.

What follows from the document without being spelled in it:

- a relation's column is a foreign key to the target's `id` with the relation's
  `on_delete`, indexed (deletes and inverses look rows up by it);
- an owned entity has `owner_id`, a foreign key to the users, indexed, cascading;
- a tenant entity has a `tenant` column, indexed, and every uniqueness holds per tenant;
- under soft delete, each uniqueness holds among rows not deleted: a partial unique
  index instead of a UNIQUE that deleted rows would keep occupying;
- a field a list filters on (here, or through a relation from another entity's list) is
  indexed unless a sort index leads with it or it is unique;
- each sort key gets an index ending in `id`, like the keyset order, so the first and
  the thousandth page are both an index range scan; owned rows, listed per owner, get one
  led by `owner_id` too; a tenant's lead with `tenant`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backsmith.design.values import EMAIL_MAX, URL_MAX
from backsmith.spec.model import Entity, FeatureSpec, Field, FieldType, OnDelete, SortKey, snake

TENANT = "tenant"  # the column of a tenant entity naming the tenant its row belongs to
TENANT_LENGTH = 64
POSTGRES_NAME_MAX = 63  # identifiers longer than this PostgreSQL truncates


class IndexReason(StrEnum):
    DECLARED = "declared: `index: true`"
    FILTERED = "a list filters on it"
    FOREIGN_KEY = "rows are looked up by their parent"
    SORTED = "a list's keyset pages in this order"
    SORTED_PER_OWNER = "an owner's list pages in this order"
    LIVE_UNIQUE = "unique among rows not soft-deleted"


@dataclass(frozen=True)
class Column:
    """A field's column: its logical type and what the table enforces on it."""

    name: str
    kind: FieldType
    nullable: bool
    length: int | None = None  # characters a string or enum column holds; None: unbounded
    precision: int | None = None
    scale: int | None = None
    unique: bool = False  # a UNIQUE of its own (not per tenant, not among live rows)
    indexed: bool = False  # an index of its own
    why_indexed: IndexReason | None = None
    # Filled in by the ORM on insert. Where the client may send the field, the create
    # schema fills the default in, and only a required field's column has one: on a
    # nullable one the ORM would take a null the client sent as "no value" and store the
    # default instead. A read-only field the client never sends: its column's default is
    # the only way it gets one.
    default: Any = None
    has_default: bool = False
    comment: str | None = None
    values: tuple[str, ...] = ()  # an enum's


@dataclass(frozen=True)
class ForeignKey:
    column: str  # `doctor_id`
    target: str  # the entity it points at, by its `id`
    on_delete: OnDelete
    nullable: bool
    relation: str | None = None  # the document's relation; None for `owner_id`
    why_indexed: IndexReason = IndexReason.FOREIGN_KEY


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    why: IndexReason
    unique: bool = False
    live_only: bool = False  # partial: over rows not soft-deleted


@dataclass(frozen=True)
class Table:
    entity: str
    name: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]
    # Every uniqueness, as column names (`owner_id`, `doctor_id`, a tenant's `tenant` first).
    unique_groups: tuple[tuple[str, ...], ...]
    # The table-level UNIQUE constraints; a single field's own is on its column, and under
    # soft delete partial unique indexes stand in for both.
    unique_constraints: tuple[tuple[str, ...], ...]
    indexes: tuple[Index, ...]
    tenant: bool = False
    soft_delete: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def index_name(table: str, columns: tuple[str, ...], prefix: str = "ix") -> str:
    """`ix_<table>_<columns>`, shortened with a stable hash to PostgreSQL's 63 characters."""
    name = f"{prefix}_{table}_{'_'.join(columns)}"
    if len(name) <= POSTGRES_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: POSTGRES_NAME_MAX - 9]}_{digest}"


def member_column(entity: Entity, member: str) -> str:
    """The column a uniqueness or sort member names: `owner`, a relation, or a field."""
    if member == "owner":
        return "owner_id"
    relation = entity.relation(member)
    return relation.column if relation else member


def filtered_from_other_lists(entity: Entity, spec: FeatureSpec) -> frozenset[str]:
    """Fields of `entity` that other entities' lists filter on (`doctor.name`)."""
    return frozenset(
        across.field
        for other in spec.entities
        for across in other.list.across
        if (relation := other.relation(across.relation)) and relation.target == entity.name
    )


def sort_columns(entity: Entity) -> tuple[tuple[str, str, bool], ...]:
    """Each sort key once, `id` last: (key, column, nullable), in the keyset's order."""
    keys: list[tuple[str, str, bool]] = []
    nullable = {f.name for f in entity.fields if f.nullable}
    for sort in (*entity.list.sort, SortKey(name="id")):
        if any(key == sort.name for key, _, _ in keys):
            continue
        relation = entity.relation(sort.name)
        if relation is not None:
            keys.append((sort.name, relation.column, not relation.required))
        else:
            keys.append((sort.name, sort.name, sort.name in nullable))
    return tuple(keys)


def table_of(entity: Entity, spec: FeatureSpec, *, name: str) -> Table:
    """The table of `entity`, called `name` (the target's convention names tables)."""
    table_unique = entity.soft_delete or entity.tenant
    filtered = entity.list.filter + tuple(filtered_from_other_lists(entity, spec))
    sorted_names = {key.name for key in entity.list.sort}
    columns = tuple(
        _column(
            field,
            filtered=field.name in filtered,
            sorted_=field.name in sorted_names,
            table_unique=table_unique,
        )
        for field in entity.fields
    )
    singles = [(f.name,) for f in entity.fields if f.unique]
    composites = [tuple(member_column(entity, m) for m in members) for members in entity.unique]
    groups = singles + composites
    if entity.tenant:
        groups = [(TENANT, *group) for group in groups]
    if entity.soft_delete:
        constraints: list[tuple[str, ...]] = []
    elif entity.tenant:
        constraints = groups
    else:  # a single field's own UNIQUE is on its column
        constraints = composites
    indexes: list[Index] = []
    if entity.soft_delete:
        indexes += [
            Index(
                index_name(name, g, "uq"), g, IndexReason.LIVE_UNIQUE, unique=True, live_only=True
            )
            for g in groups
        ]
    for _key, column, _nullable in sort_columns(entity):
        if column == "id":
            continue
        ordered = (TENANT, column, "id") if entity.tenant else (column, "id")
        indexes.append(Index(index_name(name, ordered), ordered, IndexReason.SORTED))
        if entity.owned:
            per_owner = ("owner_id", *ordered)
            indexes.append(
                Index(index_name(name, per_owner), per_owner, IndexReason.SORTED_PER_OWNER)
            )
    keys = [
        ForeignKey(r.column, r.target, r.on_delete, nullable=not r.required, relation=r.name)
        for r in entity.relations
    ]
    if entity.owned:
        keys.insert(0, ForeignKey("owner_id", "User", OnDelete.CASCADE, nullable=False))
    return Table(
        entity=entity.name,
        name=name,
        columns=columns,
        foreign_keys=tuple(keys),
        unique_groups=tuple(groups),
        unique_constraints=tuple(constraints),
        indexes=tuple(indexes),
        tenant=entity.tenant,
        soft_delete=entity.soft_delete,
    )


def _column(field: Field, *, filtered: bool, sorted_: bool, table_unique: bool) -> Column:
    stored_default = field.has_default and (not field.nullable or not field.writable_on_create)
    why: IndexReason | None = None
    if not field.unique:
        if field.index:
            why = IndexReason.DECLARED
        elif filtered and not sorted_:  # a sorted field leads a sort index already
            why = IndexReason.FILTERED
    return Column(
        name=field.name,
        kind=field.type,
        nullable=field.nullable,
        length=_length(field),
        precision=field.precision,
        scale=field.scale,
        unique=field.unique and not table_unique,
        indexed=why is not None,
        why_indexed=why,
        default=field.default if stored_default else None,
        has_default=stored_default,
        comment=field.description,
        values=field.values,
    )


def _length(field: Field) -> int | None:
    if field.type is FieldType.STR:
        return field.max_length
    if field.type is FieldType.ENUM:
        return max(len(v) for v in field.values)
    return {FieldType.EMAIL: EMAIL_MAX, FieldType.URL: URL_MAX}.get(field.type)


@dataclass(frozen=True)
class LinkTable:
    """A many_to_many's association table: a row per (owner, target) pair, the two ids
    its primary key, each a foreign key that cascades. The key leads with the owner's
    id, so the target's is indexed too: deleting a target finds its links by it."""

    name: str  # ticket_labels
    relation: str  # label
    owner: str  # Ticket
    owner_column: str  # ticket_id
    target: str  # Label
    target_column: str  # label_id


def link_tables_of(entity: Entity) -> list[LinkTable]:
    """The association tables of `entity`'s many_to_many relations."""
    return [
        LinkTable(
            name=entity.link_table(relation),
            relation=relation.name,
            owner=entity.name,
            owner_column=f"{snake(entity.name)}_id",
            target=relation.target,
            target_column=relation.column,
        )
        for relation in entity.many_to_many
    ]
