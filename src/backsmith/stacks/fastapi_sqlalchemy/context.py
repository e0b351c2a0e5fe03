"""The render context: the IR turned into the Python fragments the templates print.

Templates stay declarative; every decision about types, constraints and literals is made
here, in code that can be unit-tested.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from backsmith.design.lists import Filter, FilterOp, alternatives_pattern, list_of
from backsmith.design.storage import (
    TENANT,
    Column,
    Index,
    Table,
    filtered_from_other_lists,
    link_tables_of,
    member_column,
    table_of,
)
from backsmith.design.values import COLUMN_RANGES, Domain, domain_of
from backsmith.spec.expressions import to_python
from backsmith.spec.model import (
    Action,
    Computed,
    Entity,
    FeatureSpec,
    Field,
    FieldType,
    Grant,
    GrantKind,
    OnDelete,
    Relation,
)
from backsmith.stacks.fastapi_sqlalchemy import names

MAX_ID = 2**31 - 1
FILTER_TEXT_MAX = 1000

_SQL_TYPES = {
    FieldType.TEXT: "Text()",
    FieldType.INT: "Integer()",
    FieldType.BIGINT: "BigInteger()",
    FieldType.FLOAT: "Float()",
    FieldType.BOOL: "Boolean()",
    FieldType.DATE: "Date()",
    FieldType.DATETIME: "UTCDateTime()",
    FieldType.TIME: "Time()",
    FieldType.UUID: "Uuid()",
    FieldType.JSON: "JSON()",
}

_PY_TYPES = {
    FieldType.STR: "str",
    FieldType.TEXT: "str",
    FieldType.INT: "int",
    FieldType.BIGINT: "int",
    FieldType.FLOAT: "float",
    FieldType.DECIMAL: "Decimal",
    FieldType.BOOL: "bool",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.TIME: "time",
    FieldType.UUID: "UUID",
    FieldType.EMAIL: "str",
    FieldType.URL: "str",
    FieldType.JSON: "Any",
}


@dataclass(frozen=True)
class FieldContext:
    """One scalar field, as each generated module spells it."""

    field: Field
    name: str
    python_type: str  # the model's Python type, without `| None`
    model_annotation: str  # Mapped[...]
    column: str  # mapped_column(...)
    schema_type: str  # the constrained Pydantic type
    read_type: str
    create_line: str | None  # None: not writable on create
    update_line: str | None  # None: not writable on update
    enum_class: str | None = None
    enum_members: tuple[tuple[str, str], ...] = ()

    @property
    def nullable(self) -> bool:
        return self.field.nullable


@dataclass(frozen=True)
class RelationContext:
    relation: Relation
    name: str
    column: str  # doctor_id
    target: str  # Doctor
    target_snake: str
    target_table: str
    nullable: bool
    on_delete_sql: str  # RESTRICT / CASCADE / SET NULL
    model_annotation: str
    mapped_column: str
    schema_type: str
    read_type: str
    create_line: str
    update_line: str
    target_soft_delete: bool = False


@dataclass(frozen=True)
class EmbedContext:
    """A parent's summary in read responses: `doctor: {id, name}` beside `doctor_id`.

    The model's view-only `relationship` holds the parent; the service loads it with the
    row, for a whole page in one statement, and only when the caller may read it: the
    summary is null when the relation is empty or the parent is not the caller's to read.
    """

    name: str  # doctor: the relationship attribute and the response's key
    column: str  # doctor_id
    target: str  # Doctor
    target_plural: str  # doctors: `_doctors_shown_to` says which of them a caller may read
    schema: str  # AppointmentDoctorSummary
    fields: list[FieldContext]  # the target's embedded fields, in the order `embed` lists
    nullable: bool
    self_reference: bool  # a parent of the same entity: the model names its remote side

    @property
    def description_lines(self) -> list[str]:
        """The response field's description, in pieces short enough for one line each."""
        text = (
            f"The {self.target} that {self.column} names; null when there is none or you "
            "may not read it."
        )
        pieces = textwrap.wrap(text, 60, drop_whitespace=False)
        return [piece for piece in pieces if piece]


@dataclass(frozen=True)
class LinkContext:
    """A many_to_many: an association table of (owner id, target id) pairs.

    Clients send and read the target ids as `ids` (`label_ids`); the model holds the
    linked rows in `collection` (`labels`), loaded for a whole page in one statement.
    """

    relation: Relation
    name: str  # label
    ids: str  # label_ids
    collection: str  # labels
    table: str  # ticket_labels: the association table
    owner_column: str  # ticket_id
    target_column: str  # label_id
    target: str  # Label
    target_snake: str
    target_table: str
    target_path: str
    target_versioned: bool
    self_reference: bool
    rows_function: str  # _ticket_label_rows: the rows named by a request's ids, or a 422
    create_line: str
    update_line: str


@dataclass(frozen=True)
class FilterContext:
    """A query parameter of the list endpoint and the condition it adds."""

    param: str
    annotation: str
    condition: str  # Python expression over the model and `query`
    member: str  # the field or relation column it filters (a parent's field: its name)
    op: str  # eq, gte, lte, in
    parent: str | None = None  # across a many_to_one: the parent (snake_case) ...
    parent_column: str | None = None  # ... and the relation's column


@dataclass(frozen=True)
class SortContext:
    key: str  # public name (`starts_at`, `doctor`)
    attribute: str  # model attribute (`starts_at`, `doctor_id`)
    nullable: bool


@dataclass(frozen=True)
class RuleContext:
    action: str
    grants: tuple[Grant, ...]
    expression: str  # Rule(...)
    tenant: bool = False  # of a tenant entity: a user who belongs to no tenant gets a 403

    @property
    def public(self) -> bool:
        return any(g.kind is GrantKind.PUBLIC for g in self.grants)

    @property
    def authenticated(self) -> bool:
        return any(g.kind is GrantKind.AUTHENTICATED for g in self.grants)

    @property
    def owner(self) -> bool:
        return any(g.kind is GrantKind.OWNER for g in self.grants)

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(g.role for g in self.grants if g.kind is GrantKind.ROLE and g.role)

    @property
    def open_to_any_user(self) -> bool:
        """Any signed-in user passes it for every row (no 403 possible)."""
        return self.public or self.authenticated


@dataclass(frozen=True)
class UniqueContext:
    members: tuple[str, ...]  # model attributes (`doctor_id`, `owner_id`, `starts_at`)
    label: str  # for messages


@dataclass(frozen=True)
class ChildContext:
    """Another entity's many_to_one pointing at this one."""

    entity: str
    entity_plural: str
    column: str
    on_delete: OnDelete
    soft_delete: bool = False  # the child's rows are soft-deleted: only live ones count


@dataclass(frozen=True)
class InverseContext:
    """A parent's read-only collection of the rows one relation links to it.

    `GET /doctors/{doctor_id}/appointments`: 404 unless the caller may read the doctor,
    then a page of the appointments the caller may list, with their list parameters.
    """

    name: str  # appointments
    column: str  # the relation's column (`doctor_id`, `referred_by_id`)
    parent: str  # Doctor
    parent_snake: str  # doctor: the dependency `ValidDoctor` reads the path's `doctor_id`
    path: str  # /doctors/{doctor_id}/appointments
    function: str  # list_appointments_of_doctor


@dataclass(frozen=True)
class ComputedContext:
    """A read-only count or sum over the rows of `source` that point at this row.

    Loaded by the query that loads the row (a correlated subquery through SQLAlchemy's
    `with_expression`), over the source rows the caller may list.
    """

    name: str
    kind: str  # count, sum
    source: str  # Appointment
    source_snake: str
    via_column: str  # appointment's doctor_id
    field: str | None  # the summed field
    python_type: str  # int, float, Decimal
    source_owned: bool
    source_soft_delete: bool
    rows: str  # the alias of the source rows in the subquery
    aggregate: str  # the SQL expression over `rows`
    zero: str  # the value of a new row, spelled as the database returns it

    @property
    def decimal(self) -> bool:
        return self.python_type == "Decimal"

    @property
    def description_lines(self) -> list[str]:
        """The response field's description, in pieces short enough for one line each."""
        what = "How many" if self.field is None else f"The sum of `{self.field}` over the"
        text = f"{what} {self.source} rows pointing at it that you may list."
        pieces = textwrap.wrap(text, 60, drop_whitespace=False)
        return [piece for piece in pieces if piece]


@dataclass(frozen=True)
class TransitionContext:
    field: str
    constant: str  # the module-level name of its moves
    moves: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class CheckContext:
    function: str  # _ticket_check_1
    rule: str
    message: str
    source: str  # Python over `row`, calling app.core.checks
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ActionContext:
    name: str  # close
    function: str  # close_ticket
    rule: RuleContext
    constant: str  # TICKET_CLOSE: its access rule
    sets: dict[str, str]  # field -> Python source of the value
    stamped: dict[str, str]  # field -> `utcnow()` or `utcnow().date()`
    guard: CheckContext | None
    moves: list[TransitionContext]  # transitions of the fields it sets
    summary: str


@dataclass
class EntityContext:
    entity: Entity
    name: str
    snake: str
    plural: str
    path: str
    table: str
    owned: bool
    fields: list[FieldContext]
    relations: list[RelationContext]
    rules: dict[str, RuleContext]
    filters: list[FilterContext]
    sorts: list[SortContext]
    default_sort: str
    search: list[str]
    page_default: int
    page_max: int
    unique_fields: list[str]
    composite_unique: list[UniqueContext]
    storage: Table
    children: list[ChildContext] = field(default_factory=list)
    inverses: list[InverseContext] = field(default_factory=list)
    computed: list[ComputedContext] = field(default_factory=list)
    # Another entity's list filters on this one's fields: the service answers which
    # rows of it the caller may read that match (`_x_ids`).
    filtered_from_children: bool = False
    links: list[LinkContext] = field(default_factory=list)  # many_to_many relations
    embeds: list[EmbedContext] = field(default_factory=list)  # parents' summaries it shows
    # Another entity's responses embed this one's rows: the service says which of them a
    # caller may read (`_x_shown_to`).
    shown_in_summaries: bool = False

    restore_rule: RuleContext | None = None  # soft_delete entities only

    @property
    def self_relations(self) -> list[RelationContext]:
        """Relations to this same entity (a tree, a thread): updates must not close a cycle."""
        return [r for r in self.relations if r.target == self.name]

    @property
    def checks(self) -> list[CheckContext]:
        return [
            CheckContext(
                function=f"_{self.snake}_check_{index}",
                rule=check.rule,
                message=check.message,
                source=to_python(check.tree),
                fields=check.fields,
            )
            for index, check in enumerate(self.entity.checks, start=1)
        ]

    @property
    def actions(self) -> list[ActionContext]:
        by_field = {f.name: f.field for f in self.fields}
        moves = {t.field: t for t in self.transitions}
        contexts: list[ActionContext] = []
        for action in self.entity.actions:
            guard = None
            if action.guard is not None:
                guard = CheckContext(
                    function=f"_{self.snake}_{action.name}_allowed",
                    rule=action.guard.rule,
                    message=action.guard.message,
                    source=to_python(action.guard.tree),
                    fields=action.guard.fields,
                )
            sets = {name: _python_literal(by_field[name], v) for name, v in action.values.items()}
            stamped = {
                name: "utcnow()" if by_field[name].type is FieldType.DATETIME else "utcnow().date()"
                for name in action.stamped
            }
            changed = ", ".join(
                [
                    *(f"{n}={v!r}" for n, v in action.values.items()),
                    *(f"{n}=now" for n in action.stamped),
                ]
            )
            contexts.append(
                ActionContext(
                    name=action.name,
                    function=f"{action.name}_{self.snake}",
                    rule=_rule(Action.UPDATE, action.access, tenant=self.tenant),
                    constant=f"{self.name.upper()}_{action.name.upper()}",
                    sets=sets,
                    stamped=stamped,
                    guard=guard,
                    moves=[moves[name] for name in action.values if name in moves],
                    summary=action.description or f"{action.name.capitalize()}: sets {changed}.",
                )
            )
        return contexts

    @property
    def field_reads(self) -> dict[str, RuleContext]:
        """Fields only some callers see, each with its rule; others get rows without them."""
        return {
            f.name: _rule(Action.READ, f.field.read_access) for f in self.fields if f.field.guarded
        }

    @property
    def field_writes(self) -> dict[str, RuleContext]:
        """Fields only some callers may send, each with its rule; others get a 403."""
        return {
            f.name: _rule(Action.UPDATE, f.field.write_access)
            for f in self.fields
            if f.field.write_access
        }

    @property
    def checked_fields(self) -> tuple[str, ...]:
        """Every field some check reads, once, in order."""
        return tuple(dict.fromkeys(name for c in self.entity.checks for name in c.fields))

    @property
    def check_create_defaults(self) -> dict[str, str]:
        """Server-set fields a check reads: on create, their default (Python source)."""
        defaults: dict[str, str] = {}
        for context in self.fields:
            if context.name in self.checked_fields and context.create_line is None:
                f = context.field
                defaults[f.name] = _python_literal(f, f.default) if f.has_default else "None"
        return defaults

    @property
    def transitions(self) -> list[TransitionContext]:
        return [
            TransitionContext(
                field=t.field,
                constant=f"_{self.name.upper()}_{t.field.upper()}_MOVES",
                moves=t.moves,
            )
            for t in self.entity.transitions
        ]

    @property
    def versioned(self) -> bool:
        return self.entity.versioned

    @property
    def soft_delete(self) -> bool:
        return self.entity.soft_delete

    @property
    def tenant(self) -> bool:
        return self.entity.tenant

    @property
    def unique_groups(self) -> list[tuple[str, ...]]:
        """The columns of each uniqueness constraint; a tenant's rows are unique per tenant."""
        return list(self.storage.unique_groups)

    @property
    def unique_constraints(self) -> list[tuple[str, ...]]:
        return list(self.storage.unique_constraints)

    @property
    def live_unique_indexes(self) -> list[Index]:
        return [index for index in self.storage.indexes if index.live_only]

    @property
    def sort_indexes(self) -> list[Index]:
        return [index for index in self.storage.indexes if not index.unique]

    @property
    def enums(self) -> list[FieldContext]:
        return [f for f in self.fields if f.enum_class]

    @property
    def unique_attributes(self) -> tuple[str, ...]:
        """Every attribute a uniqueness check reads, once each, in declaration order."""
        attributes = [TENANT] if self.tenant and self.unique_groups else []
        attributes += self.unique_fields
        for unique in self.composite_unique:
            attributes += unique.members
        return tuple(dict.fromkeys(attributes))

    @property
    def sort_attributes(self) -> dict[str, str]:
        return {sort.key: sort.attribute for sort in self.sorts}

    def sort_keys(self) -> list[str]:
        keys: list[str] = []
        for sort in self.sorts:
            keys += [sort.key, f"-{sort.key}"]
        return keys


@dataclass
class FeatureContext:
    spec: FeatureSpec
    feature: str
    title: str
    entities: list[EntityContext]

    @property
    def any_versioned(self) -> bool:
        return any(entity.versioned for entity in self.entities)

    @property
    def any_transitions(self) -> bool:
        return any(entity.entity.transitions for entity in self.entities)

    @property
    def any_checks(self) -> bool:
        return any(entity.entity.checks for entity in self.entities)

    @property
    def any_actions(self) -> bool:
        return any(entity.entity.actions for entity in self.entities)

    @property
    def any_soft_delete(self) -> bool:
        return any(entity.soft_delete for entity in self.entities)

    @property
    def any_computed(self) -> bool:
        return any(entity.computed for entity in self.entities)

    @property
    def any_self_relations(self) -> bool:
        return any(entity.self_relations for entity in self.entities)

    @property
    def any_parent_filters(self) -> bool:
        return any(entity.filtered_from_children for entity in self.entities)

    @property
    def any_decimal_sum(self) -> bool:
        return any(c.decimal for entity in self.entities for c in entity.computed)

    @property
    def any_tenant(self) -> bool:
        return any(entity.tenant for entity in self.entities)

    @property
    def any_links(self) -> bool:
        return any(entity.links for entity in self.entities)

    @property
    def any_field_reads(self) -> bool:
        return any(entity.field_reads for entity in self.entities)

    @property
    def any_field_writes(self) -> bool:
        return any(entity.field_writes for entity in self.entities)

    @property
    def any_hidden_required(self) -> bool:
        """A field with a value in every row that some responses leave out."""
        return any(
            f.field.guarded and not f.nullable for entity in self.entities for f in entity.fields
        )

    @property
    def any_embeds(self) -> bool:
        return any(entity.embeds for entity in self.entities)

    @property
    def max_links(self) -> int:
        return MAX_LINKS


def build_context(spec: FeatureSpec) -> FeatureContext:
    entities = [_entity_context(entity, spec) for entity in spec.entities]
    by_name = {context.name: context for context in entities}
    for context in entities:
        for relation in context.relations:
            by_name[relation.target].children.append(
                ChildContext(
                    entity=context.name,
                    entity_plural=context.plural,
                    column=relation.column,
                    on_delete=relation.relation.on_delete,
                    soft_delete=context.soft_delete,
                )
            )
            if relation.relation.inverse is not None:
                parent = by_name[relation.target]
                context.inverses.append(_inverse_context(context, relation, parent))
    for context in entities:
        context.computed.extend(
            _computed_context(c, by_name[c.source]) for c in context.entity.computed
        )
    for context in entities:
        for relation in context.relations:
            if relation.relation.embed:
                parent = by_name[relation.target]
                context.embeds.append(_embed_context(context, relation, parent))
                parent.shown_in_summaries = True
    return FeatureContext(
        spec=spec,
        feature=spec.feature,
        title=spec.title or spec.feature.replace("_", " ").capitalize(),
        entities=entities,
    )


def _inverse_context(
    child: EntityContext, relation: RelationContext, parent: EntityContext
) -> InverseContext:
    name = relation.relation.inverse
    assert name is not None  # noqa: S101 - only called for relations with an inverse
    return InverseContext(
        name=name,
        column=relation.column,
        parent=parent.name,
        parent_snake=parent.snake,
        path=f"{parent.path}/{{{parent.snake}_id}}/{name}",
        function=f"list_{name}_of_{parent.snake}",
    )


def _embed_context(
    child: EntityContext, relation: RelationContext, parent: EntityContext
) -> EmbedContext:
    by_name = {f.name: f for f in parent.fields}
    return EmbedContext(
        name=relation.name,
        column=relation.column,
        target=parent.name,
        target_plural=parent.plural,
        schema=f"{child.name}{names.pascal(relation.name)}Summary",
        fields=[by_name[name] for name in relation.relation.embed],
        nullable=relation.nullable,
        self_reference=parent.name == child.name,
    )


def _computed_context(computed: Computed, source: EntityContext) -> ComputedContext:
    relation = source.entity.relation(computed.via or "")
    assert relation is not None  # noqa: S101 - the spec stage settles `via`
    rows = f"{computed.name}_rows"
    python_type, aggregate, zero = "int", f"func.count({rows}.id)", "0"
    if computed.field is not None:
        summed = next(f for f in source.fields if f.name == computed.field)
        python_type = summed.python_type
        aggregate = f"func.coalesce(func.sum({rows}.{summed.name}), 0)"
        zero = "0.0" if python_type == "float" else "0"
        if summed.field.type is FieldType.DECIMAL:
            # The sum keeps the field's scale on every database (also when there are no
            # rows), with room for any number of rows.
            scale = summed.field.scale or 0
            aggregate = f"cast({aggregate}, Numeric(38, {scale}))"
            zero = f'Decimal("{Decimal(0).scaleb(-scale)}")'
    return ComputedContext(
        name=computed.name,
        kind=computed.kind.value,
        source=source.name,
        source_snake=source.snake,
        via_column=relation.column,
        field=computed.field,
        python_type=python_type,
        source_owned=source.owned,
        source_soft_delete=source.soft_delete,
        rows=rows,
        aggregate=aggregate,
        zero=zero,
    )


def _entity_context(entity: Entity, spec: FeatureSpec) -> EntityContext:
    storage = table_of(entity, spec, name=names.entity_plural(entity))
    fields = [_field_context(entity, f, storage.column(f.name)) for f in entity.fields]
    relations = [_relation_context(r, spec) for r in entity.relations]
    listing = list_of(entity, spec)
    unique_single = [f.name for f in entity.fields if f.unique]
    composite = [
        UniqueContext(
            members=tuple(member_column(entity, m) for m in members),
            label=", ".join(members),
        )
        for members in entity.unique
    ]
    return EntityContext(
        entity=entity,
        name=entity.name,
        snake=names.entity_snake(entity),
        plural=names.entity_plural(entity),
        path=names.resource_path(entity),
        table=names.entity_plural(entity),
        owned=entity.owned,
        fields=fields,
        relations=relations,
        rules={
            action.value: _rule(action, entity.access[action], tenant=entity.tenant)
            for action in Action
        },
        filters=[_filter_context(entity, f) for f in listing.filters],
        sorts=[SortContext(s.key, s.column, s.nullable) for s in listing.sorts],
        default_sort=listing.default_sort,
        search=list(listing.search),
        page_default=listing.page_default,
        page_max=listing.page_max,
        unique_fields=unique_single,
        composite_unique=composite,
        storage=storage,
        restore_rule=(
            _rule(Action.DELETE, entity.restore, tenant=entity.tenant)
            if entity.soft_delete
            else None
        ),
        filtered_from_children=bool(filtered_from_other_lists(entity, spec)),
        links=[_link_context(entity, link, spec) for link in entity.many_to_many],
    )


def _rule(action: Action, grants: tuple[Grant, ...], *, tenant: bool = False) -> RuleContext:
    args: list[str] = []
    if any(g.kind is GrantKind.PUBLIC for g in grants):
        args.append("public=True")
    if any(g.kind is GrantKind.AUTHENTICATED for g in grants):
        args.append("authenticated=True")
    if any(g.kind is GrantKind.OWNER for g in grants):
        args.append("owner=True")
    roles = sorted({g.role for g in grants if g.kind is GrantKind.ROLE and g.role})
    if roles:
        args.append("roles=frozenset({" + ", ".join(repr(r) for r in roles) + "})")
    expression = f"Rule({', '.join(args)})"
    return RuleContext(action=action.value, grants=grants, expression=expression, tenant=tenant)


# --- fields -------------------------------------------------------------------------


def _enum_class(entity: Entity, f: Field) -> str | None:
    return names.enum_class(entity, f.name) if f.type is FieldType.ENUM else None


def _field_context(entity: Entity, f: Field, column: Column) -> FieldContext:
    enum_class = _enum_class(entity, f)
    python_type = "str" if enum_class else _PY_TYPES[f.type]
    optional = " | None" if f.nullable else ""
    schema_type = _schema_type(f, enum_class)
    read_type = (enum_class or _read_python_type(f)) + optional
    return FieldContext(
        field=f,
        name=f.name,
        python_type=python_type,
        model_annotation=f"Mapped[{python_type}{optional}]",
        column=_mapped_column(f, column),
        schema_type=schema_type,
        read_type=read_type,
        create_line=_create_line(f, schema_type, enum_class) if f.writable_on_create else None,
        update_line=_update_line(f, schema_type) if f.writable_on_update else None,
        enum_class=enum_class,
        enum_members=tuple((names.enum_member(v), v) for v in f.values),
    )


def _read_python_type(f: Field) -> str:
    if f.type is FieldType.TIME:
        # Served as a wall-clock time without offset: WallTime documents it as such (JSON
        # Schema's `time` format demands an offset, and response checks hold us to it).
        return "WallTime"
    if f.type is FieldType.DECIMAL:
        return f"Annotated[Decimal, scaled({f.scale})]"
    return "JsonValue" if f.type is FieldType.JSON else _PY_TYPES[f.type]


def _sql_type(column: Column) -> str:
    if column.kind in (FieldType.STR, FieldType.EMAIL, FieldType.URL, FieldType.ENUM):
        return f"String({column.length})" if column.length else "String()"
    if column.kind is FieldType.DECIMAL:
        return f"Numeric({column.precision}, {column.scale})"
    return _SQL_TYPES[column.kind]


def _mapped_column(f: Field, column: Column) -> str:
    args = [_sql_type(column)]
    if column.unique:
        args.append("unique=True")
    if column.indexed:
        args.append("index=True")
    if column.has_default:
        args.append(f"default={_default_source(f)}")
    if column.comment:
        args.append(f"comment={column.comment!r}")
    return f"mapped_column({', '.join(args)})"


def _domain_arguments(domain: Domain) -> list[str]:
    """Pydantic `Field(...)` arguments that enforce a field's domain.

    Emails and URLs refuse NUL by their own types' rules; a str or text with a pattern of
    its own gets a NUL-free type instead (`_schema_type`).
    """
    args: list[str] = []
    if domain.min_length is not None:
        args.append(f"min_length={domain.min_length}")
    if domain.max_length is not None:
        args.append(f"max_length={domain.max_length}")
    if domain.pattern:
        args.append(f"pattern={domain.pattern!r}")
    elif domain.nul_free:
        args.append("pattern=NO_NUL")
    if domain.digits is not None:
        args.append(f"max_digits={domain.digits}")
        args.append(f"decimal_places={domain.places}")
    for keyword, bound in (("ge", domain.minimum), ("le", domain.maximum)):
        if isinstance(bound, Decimal):
            args.append(f'{keyword}=Decimal("{bound}")')
        elif bound is not None:
            args.append(f"{keyword}={bound!r}")
    if domain.finite:
        args.append("allow_inf_nan=False")
    return args


def _constraints(f: Field) -> list[str]:
    """Pydantic `Field(...)` arguments: the field's domain, then its documentation."""
    args = _domain_arguments(domain_of(f))
    if f.description:
        args.append(f"description={f.description!r}")
    if f.example is not None:
        args.append(f"examples=[{_json_literal(f.example)}]")
    return args


def _schema_type(f: Field, enum_class: str | None) -> str:
    base = (
        {
            FieldType.EMAIL: "EmailStr",
            FieldType.URL: "HttpUrlStr",
            # JSON types, not Pydantic's lax ones: no number for a date (`0` is 1970-01-01),
            # no `true` or "5" for a number, no "yes" or 1 for a boolean.
            FieldType.INT: "JsonInt",
            FieldType.BIGINT: "JsonInt",
            FieldType.FLOAT: "JsonFloat",
            FieldType.BOOL: "StrictBool",
            FieldType.DATE: "IsoDate",
            FieldType.DATETIME: "UTCDatetime",
            FieldType.TIME: "WallTime",
            FieldType.JSON: "JsonValue" if f.nullable else "JsonPresent",
        }.get(f.type)
        or enum_class
        or _PY_TYPES[f.type]
    )
    if f.pattern and f.type in (FieldType.STR, FieldType.TEXT):
        # Its own pattern takes the place of NO_NUL, and may well match around a NUL.
        base = "NulFreeStr"
    constraints = _constraints(f)
    if not constraints:
        return base
    return f"Annotated[{base}, Field({', '.join(constraints)})]"


def _default_source(f: Field, enum_class: str | None = None) -> str:
    """A default as Python source; a mutable one as a factory, built afresh each time."""
    if isinstance(f.default, (list, dict)):
        return type(f.default).__name__ if not f.default else f"lambda: {f.default!r}"
    return _python_literal(f, f.default, enum_class)


def _create_line(f: Field, schema_type: str, enum_class: str | None) -> str:
    if f.has_default and isinstance(f.default, (list, dict)):
        annotation = f"{schema_type} | None" if f.nullable else schema_type
        if f.default:
            # A literal, which mypy checks against the annotation (a factory's return type
            # it would not: dict[str, str] is no JsonValue); Pydantic copies it per request
            # (RUF012 is off for schemas: a `noqa` would not survive `ruff format` wrapping
            # a long annotation).
            return f"{f.name}: {annotation} = {f.default!r}"
        return f"{f.name}: {annotation} = Field(default_factory={_default_source(f)})"
    if f.has_default:
        annotation = f"{schema_type} | None" if f.nullable else schema_type
        return f"{f.name}: {annotation} = {_python_literal(f, f.default, enum_class)}"
    if f.nullable:
        return f"{f.name}: {schema_type} | None = None"
    return f"{f.name}: {schema_type}"


def _update_line(f: Field, schema_type: str) -> str:
    if f.nullable:
        return f"{f.name}: {schema_type} | None = None"
    # Omitted means unchanged; an explicit null for a required field fails validation.
    return f"{f.name}: {schema_type} = Field(default_factory=omitted)"


def _python_literal(f: Field, value: Any, enum_class: str | None = None) -> str:
    """Python source for a default value of the field's type."""
    if value is None:
        return "None"
    if f.type is FieldType.ENUM:
        member = names.enum_member(str(value))
        return f"{enum_class}.{member}" if enum_class else repr(str(value))
    if f.type is FieldType.DECIMAL:
        # At the column's scale, as the database gives it back: a create's response then
        # shows `0.00` as every later read does, not `0`.
        number = Decimal(str(value))
        if f.scale is not None:
            number = number.quantize(Decimal(1).scaleb(-f.scale))
        return f'Decimal("{number}")'
    if f.type is FieldType.DATE:
        value = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        return f"date({value.year}, {value.month}, {value.day})"
    if f.type is FieldType.DATETIME:
        parsed = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        parsed = parsed.astimezone(dt.UTC)
        return f"datetime.fromisoformat({parsed.isoformat()!r})"
    if f.type is FieldType.TIME:
        parsed_time = value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))
        return f"time.fromisoformat({parsed_time.isoformat()!r})"
    if f.type is FieldType.UUID:
        return f"UUID({str(uuid.UUID(str(value)))!r})"
    if f.type is FieldType.FLOAT:
        return repr(float(value))
    return _json_literal(value)


def _json_literal(value: Any) -> str:
    if isinstance(value, Decimal):
        return repr(str(value))
    if isinstance(value, (dt.date, dt.time, dt.datetime, uuid.UUID)):
        return repr(str(value) if not hasattr(value, "isoformat") else value.isoformat())
    return repr(value)


# --- relations ----------------------------------------------------------------------


_ON_DELETE_SQL = {
    OnDelete.RESTRICT: "RESTRICT",
    OnDelete.CASCADE: "CASCADE",
    OnDelete.SET_NULL: "SET NULL",
}


def _relation_context(r: Relation, spec: FeatureSpec) -> RelationContext:
    target = spec.entity(r.target)
    if target is None:  # the spec stage checks relation targets; this guards the IR contract
        raise ValueError(f"relation {r.name} points at unknown entity {r.target}")
    target_snake = names.entity_snake(target)
    table = names.entity_plural(target)
    optional = " | None" if not r.required else ""
    schema_type = f"Annotated[JsonInt, Field(ge=1, le={MAX_ID})]"  # JSON: `true` is not row 1
    create_line = (
        f"{r.column}: {schema_type}" if r.required else f"{r.column}: {schema_type} | None = None"
    )
    update_line = (
        f"{r.column}: {schema_type} = Field(default_factory=omitted)"
        if r.required
        else f"{r.column}: {schema_type} | None = None"
    )
    on_delete = _ON_DELETE_SQL[r.on_delete]
    return RelationContext(
        relation=r,
        name=r.name,
        column=r.column,
        target=r.target,
        target_snake=target_snake,
        target_table=table,
        nullable=not r.required,
        on_delete_sql=on_delete,
        model_annotation=f"Mapped[int{optional}]",
        mapped_column=(
            f'mapped_column(ForeignKey("{table}.id", ondelete="{on_delete}"), index=True)'
        ),
        schema_type=schema_type,
        read_type=f"int{optional}",
        create_line=create_line,
        update_line=update_line,
        target_soft_delete=target.soft_delete,
    )


# A many_to_many's ids in a request: valid ids, at most this many, none twice (the schema
# says so with uniqueItems; the service refuses a repeat at its index).
MAX_LINKS = 100


def _link_context(entity: Entity, r: Relation, spec: FeatureSpec) -> LinkContext:
    target = spec.entity(r.target)
    if target is None:  # the spec stage checks relation targets; this guards the IR contract
        raise ValueError(f"relation {r.name} points at unknown entity {r.target}")
    owner_snake = names.entity_snake(entity)
    table = next(t for t in link_tables_of(entity) if t.relation == r.name)
    return LinkContext(
        relation=r,
        name=r.name,
        ids=r.ids,
        collection=r.collection,
        table=table.name,
        owner_column=table.owner_column,
        target_column=table.target_column,
        target=r.target,
        target_snake=names.entity_snake(target),
        target_table=names.entity_plural(target),
        target_path=names.resource_path(target),
        target_versioned=target.versioned,
        self_reference=target.name == entity.name,
        rows_function=f"_{owner_snake}_{r.name}_rows",
        create_line=f"{r.ids}: LinkIds = Field(default_factory=list)",
        # Sent: replaces the whole set (`[]` empties it); null is refused, like any list.
        update_line=f"{r.ids}: LinkIds = Field(default_factory=omitted)",
    )


# --- list options -------------------------------------------------------------------


def _filter_value_type(f: Field, enum_class: str | None) -> str:
    """The query parameter type: the field's type, bounded so no value reaches the
    database that it would refuse (a 422, never a 500), but without the spec's ranges:
    filtering by a value outside them simply finds nothing."""
    if f.type is FieldType.ENUM:
        return enum_class or "str"
    if f.type in (FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL):
        return f"Annotated[str, Field(max_length={FILTER_TEXT_MAX}, pattern=NO_NUL)]"
    if f.type in COLUMN_RANGES:
        low, high = COLUMN_RANGES[f.type]
        return f"Annotated[int, Field(ge={low}, le={high})]"
    if f.type is FieldType.FLOAT:
        return "Annotated[float, Field(allow_inf_nan=False)]"
    if f.type is FieldType.DECIMAL:
        # The value is bound as the column's NUMERIC(p, s): one with more digits overflows
        # on PostgreSQL (a 500 the fuzz gate found), so the column's digits bound it too.
        return (
            f"Annotated[Decimal, Field(max_digits={f.precision}, "
            f"decimal_places={f.scale}, allow_inf_nan=False)]"
        )
    if f.type is FieldType.DATE:
        return "IsoDate"
    if f.type is FieldType.DATETIME:
        return "UTCDatetime"
    if f.type is FieldType.TIME:
        return "WallTime"
    return _PY_TYPES[f.type]


_COMPARISONS = {FilterOp.EQ: "==", FilterOp.GTE: ">=", FilterOp.LTE: "<="}


def _filter_context(entity: Entity, flt: Filter) -> FilterContext:
    """A filter of the design as a query parameter's type and the condition it adds."""
    if flt.field is None:  # a relation's id
        return FilterContext(
            param=flt.param,
            annotation=f"Annotated[int, Field(ge=1, le={MAX_ID})] | None",
            condition=f"{entity.name}.{flt.member} == query.{flt.param}",
            member=flt.member,
            op=flt.op.value,
        )
    f, column = flt.field, f"{flt.owner.name}.{flt.field.name}"
    if flt.op is FilterOp.IN:
        pattern = alternatives_pattern(f.values)
        annotation = f"Annotated[str, Field(pattern={pattern!r})] | None"
        condition = f'{column}.in_(query.{flt.param}.split(","))'
    else:
        annotation = f"{_filter_value_type(f, _enum_class(flt.owner, f))} | None"
        condition = f"{column} {_COMPARISONS[flt.op]} query.{flt.param}"
    if flt.across is None:
        return FilterContext(flt.param, annotation, condition, flt.member, flt.op.value)
    # Only parents the caller may read can match: a filter never reveals the others.
    parent = names.entity_snake(flt.owner)
    return FilterContext(
        param=flt.param,
        annotation=annotation,
        condition=f"{entity.name}.{flt.across.column}.in_(_{parent}_ids(user, {condition}))",
        member=flt.member,
        op=flt.op.value,
        parent=parent,
        parent_column=flt.across.column,
    )
