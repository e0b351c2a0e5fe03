"""The render context of the house blueprint: the IR spelled in a project's own terms.

Every decision about types, constraints, access and test data is made here, in code that
can be tested; the templates only print it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from backsmith.design.access import Cell, Condition, access_of, build_matrix
from backsmith.design.actions import ActionRows, action_rows
from backsmith.design.checks import CheckCase, check_cases, check_data, meeting_checks
from backsmith.design.lists import Filter, FilterOp, alternatives_pattern, list_of
from backsmith.design.operations import collection_path
from backsmith.design.samples import (
    JSONValue,
    SampleError,
    boundary_cases,
    nul_case,
    valid_value,
)
from backsmith.design.storage import (
    Column,
    Index,
    IndexReason,
    LinkTable,
    Table,
    index_name,
    link_tables_of,
    table_of,
)
from backsmith.design.values import COLUMN_RANGES, NO_NUL, Domain, domain_of
from backsmith.errors import Location, SpecError
from backsmith.spec.expressions import RUNTIME_CALLS, to_python
from backsmith.spec.model import (
    STRING_TYPES,
    CustomAction,
    Entity,
    FeatureSpec,
    Field,
    FieldType,
    OnDelete,
    Relation,
    RelationKind,
    pluralize,
    snake,
)
from backsmith.stacks.fastapi_sqlalchemy import names
from backsmith.stacks.house.style import HouseStyle

MAX_ID = 2**31 - 1  # ids are INTEGER columns
# This project has no email or URL types of backsmith's: their shapes are patterns.
# Neither admits a NUL, which PostgreSQL cannot store.
EMAIL_PATTERN = r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$"
URL_PATTERN = r"^https?://[^\s\x00]+$"

_COLUMN_TYPES = {
    FieldType.TEXT: "Text()",
    FieldType.INT: "Integer()",
    FieldType.BIGINT: "BigInteger()",
    FieldType.FLOAT: "Float()",
    FieldType.BOOL: "Boolean()",
    FieldType.DATE: "Date()",
    FieldType.DATETIME: "DateTime(timezone=True)",
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
    FieldType.UUID: "uuid.UUID",
    FieldType.EMAIL: "str",
    FieldType.URL: "str",
    FieldType.JSON: "Any",
}
# How the generated tests compare a value sent with the value read back: as JSON, as
# numbers (a decimal comes back with its column's scale), or not at all (a database may
# drop a timestamp's offset).
_COMPARISON = {FieldType.DECIMAL: "decimal", FieldType.FLOAT: "float", FieldType.DATETIME: "none"}


@dataclass(frozen=True)
class HouseField:
    name: str
    python_type: str  # without `| None`
    nullable: bool
    column_type: str  # SQLAlchemy type expression
    default: str | None  # Python literal of the default
    constraints: str  # keyword arguments of pydantic's Field(...)
    sqlmodel_constraints: str  # the same for SQLModel's Field(...)
    enum_class: str | None
    enum_members: tuple[tuple[str, str], ...]
    unique: bool  # unique on its own, as the document says
    column_unique: bool  # a UNIQUE on its column (under soft delete: a partial index instead)
    indexed: bool  # an index of its own (the design says why)
    on_create: bool
    on_update: bool
    readable: bool
    comparison: str  # json, decimal, float or none
    kind: str  # the document's type name: str, date, decimal ...
    # Its own pattern stands in for the NUL rule (pydantic takes one pattern) and may
    # admit a NUL, which a validator then refuses.
    nul_checked: bool = False

    @property
    def annotation(self) -> str:
        return f"{self.python_type} | None" if self.nullable else self.python_type


@dataclass(frozen=True)
class HouseFilter:
    """A query parameter of a list (one of the design's filters) and what it compares."""

    param: str  # the query parameter and the service's keyword: `spent_on__gte`
    op: str  # eq, gte, lte, in
    attribute: str  # the model attribute compared
    annotation: str  # the router parameter's type (its default is None)
    kind: str | None  # the field's type name; None for a relation's id
    # Across a many_to_one: the parent whose field is compared (only parents the caller
    # may see), by the relation's column on this entity.
    parent: str | None = None
    parent_snake: str | None = None
    parent_plural: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class HouseRelation:
    name: str
    column: str
    target: str
    target_snake: str
    target_table: str
    nullable: bool
    on_delete: str  # CASCADE, RESTRICT, SET NULL
    target_soft_delete: bool = False  # its parents are soft-deleted: restore them first
    target_read_public: bool = False  # anyone may read its parents, signed in or not


@dataclass(frozen=True)
class Access:
    """Who may do one action. `admin` is the user's administrator flag, where the project's
    users have one; `roles` are the other roles the rule names, which users hold in the
    feature's role table (see `RoleTable`)."""

    public: bool
    authenticated: bool
    owner: bool
    admin: bool
    roles: tuple[str, ...] = ()

    @property
    def anyone_signed_in(self) -> bool:
        return self.public or self.authenticated


@dataclass(frozen=True)
class RoleTable:
    """Where a feature's users hold the roles its rules name, beside the project's users.

    The project's users keep their own table and shape: what a user table has (at most
    an administrator flag) cannot say "doctor", so the feature adds a table of its own,
    one row per user and role, which the team fills as it grants roles.
    """

    model: str  # LibraryUserRole
    table: str  # library_user_roles
    roles: tuple[str, ...]  # the roles kept in it, as the document declares them


@dataclass(frozen=True)
class Move:
    """One move a generated test tries: from `start` to `end`, and what the API answers."""

    start: str
    end: str
    allowed: bool


@dataclass(frozen=True)
class HouseTransitions:
    """An enum field's state machine: from each value, the values it may become."""

    field: str
    moves: dict[str, tuple[str, ...]]  # every value; () for a final one
    cases: tuple[Move, ...]  # every ordered pair of distinct values
    constant: str  # the service's module-level name for the moves: _TICKET_STATUS_MOVES


@dataclass(frozen=True)
class HouseCheck:
    """A cross-field check, printed as Python over the merged row (`row["due_on"]`) with
    calls to the checks' runtime module the feature adds."""

    function: str  # _ticket_check_1
    rule: str  # as the document writes it
    message: str
    source: str


@dataclass(frozen=True)
class HouseAction:
    """A custom action, `POST /things/{id}/NAME`: the values it sets, its guard over the
    stored row, and the rows its tests run on (None: no row can be made ready for it)."""

    name: str  # resolve
    summary: str
    changes: list[tuple[str, str]]  # field, Python source of its new value
    guard: HouseCheck | None  # `when`, with the 409's message
    guard_fields: tuple[str, ...]
    moves: list[HouseTransitions]  # the state machines of the fields it sets
    rows: ActionRows | None
    # It sets a field some check reads: the changed row is checked again (a 409).
    rechecks: bool = False


@dataclass(frozen=True)
class HouseLink:
    """A many_to_many: its association table (the design's), the ids clients send and
    read (`label_ids`), and the attribute holding the linked rows (`labels`)."""

    name: str  # label
    ids: str  # label_ids
    collection: str  # labels
    owner: str  # Ticket
    table: str  # ticket_labels
    owner_column: str  # ticket_id
    target_column: str  # label_id
    target: str  # Label
    target_snake: str
    target_plural: str
    target_table: str
    link_model: str  # TicketLabelLink: the association as a SQLModel table class
    rows_function: str  # _ticket_label_rows: the rows a request's ids name, or a 422

    @property
    def self_reference(self) -> bool:
        return self.owner == self.target


@dataclass(frozen=True)
class HouseInverse:
    """A parent's read-only collection of one relation's rows: `GET /doctors/{doctor_id}/
    appointments`, answered as reading the parent would, then as the rows' own list."""

    name: str  # appointments
    entity: HouseEntity  # the parent
    column: str  # the rows' link to it: doctor_id
    path: str
    function: str  # list_appointments_of_doctor


@dataclass(frozen=True)
class InverseRows:
    """The rows an inverse's test makes, by sample index, so that no unique value repeats:
    a tree's parent is a row of the same entity (index 0, its children next), and a link
    unique with nothing a client varies (a one_to_one) takes one row per parent."""

    first: int  # the first child's index
    count: int  # children under the parent; 0: too few rows for a test
    another: bool  # a second parent, with a child the list must leave out
    other_parent: int
    other_child: int


@dataclass(frozen=True)
class Child:
    entity: str
    snake: str
    plural: str
    column: str
    on_delete: OnDelete
    soft_delete: bool = False  # the child entity is soft-deleted too: its deleted rows stay
    # Told apart in a test's name when the child links to the parent more than once.
    via: str = ""
    # Another required link of the child's points at the same parent entity: the child's
    # factory makes that parent from the first sample, so the test's parent takes the next.
    shares_parent: bool = False


@dataclass
class HouseEntity:
    name: str
    snake: str
    plural: str
    table: str
    path: str
    owned: bool
    fields: list[HouseField]
    relations: list[HouseRelation]
    access: dict[str, Access]
    unique: list[tuple[str, ...]]  # model attributes per constraint (owner -> owner_id)
    indexes: list[Index]  # the design's table indexes over columns this table has
    filters: list[HouseFilter]
    search: list[str]
    sorts: list[tuple[str, str, bool]]  # (public key, attribute, descending)
    default_order: list[tuple[str, bool]]  # (attribute, descending), ending in id
    children: list[Child]
    samples: list[dict[str, JSONValue]]
    sort_cases: list[tuple[str, str]]  # (`?sort=` value, the answer's attribute it orders)
    boundaries: list[tuple[str, str, JSONValue, bool]]  # field, label, value, valid
    read_class: str
    create_class: str
    update_class: str
    page_class: str | None  # the per-entity page class, when the project has no generic one

    @property
    def enum_fields(self) -> list[HouseField]:
        return [f for f in self.fields if f.enum_class]

    page_default: int
    page_max: int
    # The access matrix's row cells (list, read, update, delete), each with the status the
    # design's access model decides: the tests' oracle is the document, not this context.
    access_cells: list[Cell]
    transitions: list[HouseTransitions]
    # DELETE marks the row (`deleted_at`), POST .../restore brings it back; uniqueness holds
    # among live rows, in partial unique indexes.
    soft_delete: bool = False
    # A deleted row's unique values are free for a new row with its first sample (every
    # member of a constraint is set), which a test shows, and restoring it is then a 409.
    frees_unique: bool = False
    # The parents' read-only collections of these rows (`GET /doctors/{id}/appointments`).
    inverses: list[HouseInverse] = dataclasses.field(default_factory=list)
    # Rows one user can make in a test before a unique value or combination repeats
    # (at most the SAMPLES the tests use); fewer when a constraint admits few.
    rows: int = 3
    # Cross-field checks, in the document's order, and the values that break each (on
    # create over the first sample, and as a PATCH onto the second where one can).
    checks: list[HouseCheck] = dataclasses.field(default_factory=list)
    check_cases: list[CheckCase] = dataclasses.field(default_factory=list)
    # Every field a check reads, once, in order: what an update merges with the PATCH.
    checked_fields: tuple[str, ...] = ()
    # Whether the update test's PATCH (the second sample's updatable values onto the
    # first's row) meets every check, as the design's check data judges it.
    updates_meet_checks: bool = True
    # The unique tests whose second row (the second sample with the first row's members)
    # would break a check, a 422 before the uniqueness is read: left to the service.
    unique_untested: list[tuple[str, ...]] = dataclasses.field(default_factory=list)
    actions: list[HouseAction] = dataclasses.field(default_factory=list)
    # A list sorts on `updated_at`: the table keeps the time of each row's last write
    # (not in responses: the project's rows show no timestamps of backsmith's).
    stamps_updates: bool = False
    # Optimistic concurrency: a `version` every accepted write moves on, sent as an ETag;
    # PATCH and DELETE need it back in If-Match (428 without, 412 when stale).
    versioned: bool = False
    links: list[HouseLink] = dataclasses.field(default_factory=list)  # its many_to_many
    linked_by: list[HouseLink] = dataclasses.field(default_factory=list)  # others' to it

    @property
    def tested_actions(self) -> list[HouseAction]:
        """The actions a row can be made ready for: the access matrix runs these."""
        return [a for a in self.actions if a.rows is not None]

    @property
    def change_actions(self) -> list[str]:
        """Every action that changes a loaded row: update, delete and the custom ones."""
        return ["update", "delete", *(a.name for a in self.actions)]

    def refuses_outsiders(self, action: str) -> bool:
        """Whether a signed-in caller can be given no rows at all for `action` (a 403): its
        rule names neither everyone signed in nor the rows' owners, only roles."""
        rule = self.access[action]
        return not rule.anyone_signed_in and not (rule.owner and self.owned)

    def allowed(
        self, action: str, user: str, row: str | None, flag: str | None, has_role: str
    ) -> str:
        """The Python condition under which `user` may do `action` (to `row`, when there is
        one). `has_role` spells the role-table lookup, `{}` standing for the roles: the
        cheap terms come first, so the lookup runs only when they do not decide."""
        rule = self.access[action]
        if rule.anyone_signed_in:
            return "True"
        terms = [f"{user}.{flag}"] if rule.admin and flag else []
        if row is not None and rule.owner and self.owned:
            terms.append(f"{row}.owner_id == {user}.id")
        if rule.roles:
            terms.append(has_role.format(repr(rule.roles)))
        return " or ".join(terms) or "False"

    def change_guarded(self, flag: str | None, has_role: str) -> bool:
        """Whether some change of a loaded row is refused to some callers (else no check
        of the caller is written: its arguments would go unused)."""
        return any(
            self.allowed(a, "user", self.snake, flag, has_role) != "True"
            for a in self.change_actions
        )

    def change_rules(self, flag: str | None, has_role: str) -> list[tuple[str, str]]:
        """The condition of each change, actions with the same one together: (the test of
        `action` that picks it, `action == "update"` or `action in (...)`, the condition)."""
        grouped: dict[str, list[str]] = {}
        for action in self.change_actions:
            rule = self.allowed(action, "user", self.snake, flag, has_role)
            grouped.setdefault(rule, []).append(action)
        return [
            (
                f"action == {actions[0]!r}"
                if len(actions) == 1
                else f"action in {tuple(actions)!r}",
                rule,
            )
            for rule, actions in grouped.items()
        ]

    def role_checked(self, *actions: str) -> bool:
        """Whether deciding one of `actions` may look the caller's roles up."""
        return any(self.access[a].roles and not self.access[a].anyone_signed_in for a in actions)

    def nul_checked(self, action: str) -> list[str]:
        """Text fields a client writes on `create` or `update` whose NUL a validator refuses."""
        return [
            f.name
            for f in self.fields
            if f.nul_checked and (f.on_create if action == "create" else f.on_update)
        ]

    def temporal(self, action: str) -> list[str]:
        """Date and time fields a client writes on `create` or `update`."""
        temporal = {FieldType.DATE.value, FieldType.DATETIME.value, FieldType.TIME.value}
        return [
            f.name
            for f in self.fields
            if f.kind in temporal and (f.on_create if action == "create" else f.on_update)
        ]

    def datetimes(self, action: str) -> list[str]:
        """Datetime fields a client writes on `create` or `update`, or reads (`read`)."""
        wanted = {"create": "on_create", "update": "on_update", "read": "readable"}[action]
        return [f.name for f in self.fields if f.kind == "datetime" and getattr(f, wanted)]

    def numbers(self, action: str) -> list[str]:
        """Integers and floats a client sends on `create` or `update`, links included:
        JSON numbers only (a decimal may also come as text, as its schema says)."""
        wanted = "on_create" if action == "create" else "on_update"
        kinds = {FieldType.INT.value, FieldType.BIGINT.value, FieldType.FLOAT.value}
        fields = [f.name for f in self.fields if f.kind in kinds and getattr(f, wanted)]
        return fields + [r.column for r in self.relations]

    def bools(self, action: str) -> list[str]:
        """Booleans a client sends on `create` or `update`: JSON booleans only."""
        wanted = "on_create" if action == "create" else "on_update"
        return [
            f.name for f in self.fields if f.kind == FieldType.BOOL.value and getattr(f, wanted)
        ]

    def anonymous(self, action: str) -> bool:
        """Whether `action` never asks who the caller is, so its route takes no signed-in
        user: its rule is public, and so is every read it makes on the way (the row's for
        a change, each parent's for a create)."""
        if not self.access[action].public:
            return False
        if action == "create":
            return all(r.target_read_public for r in self.relations)
        return self.access["read"].public

    def one_per_parent(self, column: str) -> bool:
        """Whether a parent can have only one of these rows through `column`: some
        uniqueness holds the link and nothing a client's samples vary (the owner, a field
        no client sets, another link)."""
        varied = {f.name for f in self.fields if f.on_create}
        return any(
            column in group and not (set(group) - {column}) & varied for group in self.unique
        )

    def collides(self, members: tuple[str, ...]) -> bool:
        """Whether two rows can ever hold the same values of `members`: not when one is a
        field no client sets, that starts empty (a null collides with nothing)."""
        by_name = {f.name: f for f in self.fields}
        return not any(
            m in by_name
            and not by_name[m].on_create
            and by_name[m].nullable
            and not by_name[m].default
            for m in members
        )

    @property
    def inverse_columns(self) -> list[str]:
        """Links an inverse lists by that no filter of the list's already takes."""
        taken = {f.param for f in self.filters}
        return [i.column for i in self.inverses if i.column not in taken]

    @property
    def unique_attributes(self) -> list[str]:
        """Every attribute a uniqueness of the row names: what a restore checks again."""
        names = [f.name for f in self.fields if f.unique]
        return list(dict.fromkeys([*names, *(m for group in self.unique for m in group)]))

    @property
    def plain_updates(self) -> list[str]:
        """Fields the plain update test changes: a state field moves only as its
        transitions allow, which tests of its own try; a field a check reads only where
        the second sample's values, PATCHed onto the first's row, meet every check."""
        moving = {t.field for t in self.transitions}
        if not self.updates_meet_checks:
            moving |= set(self.checked_fields)
        return [f.name for f in self.fields if f.on_update and f.name not in moving]

    @property
    def check_defaults(self) -> dict[str, str]:
        """Fields a check reads that no client sends: on create, their default."""
        return {
            f.name: f.default or "None"
            for f in self.fields
            if f.name in self.checked_fields and not f.on_create
        }

    def update_required(self) -> list[str]:
        """Update fields that may be left out but not set to null."""
        fields = [f.name for f in self.fields if f.on_update and not f.nullable]
        fields += [link.ids for link in self.links]  # `[]` empties the set; null is a 422
        return fields + [r.column for r in self.relations if not r.nullable]

    def error_statuses(self, action: str) -> list[int]:
        """The error statuses an endpoint answers besides FastAPI's own 422."""
        rule = self.access[action]
        statuses = set() if rule.public else {401}
        if action in ("create", "update"):
            statuses.add(400)  # FastAPI's answer to a body it cannot read
        custom = next((a for a in self.actions if a.name == action), None)
        if action in ("read", "update", "delete") or custom:
            statuses.add(404)
        changes = ("create", "update", "delete", "restore")
        if (action in changes or custom) and not rule.anyone_signed_in:
            statuses.add(403)
        if custom and (custom.guard or custom.moves or custom.rechecks):
            statuses.add(409)  # its guard refuses, a move it may not make, a broken check
        if self.versioned and (action in ("update", "delete", "restore") or custom):
            statuses.add(412)  # stale If-Match, or a concurrent write won the race
        if self.versioned and action in ("update", "delete"):
            statuses.add(428)  # no If-Match (restore and actions need none)
        if action in ("list", "read") and self.refuses_outsiders(action):
            statuses.add(403)  # a signed-in caller the rule gives no rows at all
        unique = bool(self.unique) or any(f.unique for f in self.fields)
        if action in ("create", "update") and unique:
            statuses.add(409)
        if action == "update" and self.transitions:
            statuses.add(409)  # a move the field's transitions do not allow
        if action == "restore":
            statuses.add(404)  # a live row, or one outside what the caller may restore
            if unique or any(r.target_soft_delete for r in self.relations):
                statuses.add(409)  # its values were taken since, or its parent is deleted
        restricted = any(c.on_delete is OnDelete.RESTRICT for c in self.children)
        if action == "delete" and restricted:
            statuses.add(409)
        return sorted(statuses)

    @property
    def compared(self) -> dict[str, str]:
        """Fields whose value comes back other than as the JSON sent (see `_COMPARISON`)."""
        return {f.name: f.comparison for f in self.fields if f.comparison != "json"}

    @property
    def equality_filters(self) -> list[HouseFilter]:
        """Equality on the entity's own columns, each with a test of its own: not on a
        field no request sets and that starts empty (null on every row a test makes, so
        nothing to match; the fuzzer still sends it)."""
        never_set = {f.name for f in self.fields if not f.on_create and not f.default}
        return [
            f
            for f in self.filters
            if f.op == "eq" and not f.parent and f.attribute not in never_set
        ]

    @property
    def probed_filters(self) -> list[HouseFilter]:
        """Filters a generated test checks here; equality on the entity's own columns has
        tests of its own."""
        return [f for f in self.filters if f.op != "eq" or f.parent]

    @property
    def test_rows(self) -> int:
        """How many rows a filter's test makes: each with a parent of its own."""
        return min(3, self.rows)

    @property
    def temporal_filters(self) -> list[HouseFilter]:
        temporal = {t.value for t in _TEMPORAL}
        return [f for f in self.filters if f.kind in temporal]

    def relation(self, column: str) -> HouseRelation | None:
        return next((r for r in self.relations if r.column == column), None)


@dataclass
class HouseFeature:
    name: str
    title: str
    entities: list[HouseEntity]
    style: HouseStyle
    role_table: RoleTable | None = None  # where users hold the roles the rules name
    # How a test's rows are removed when it ends: the optional links emptied first (a
    # tree's, or a cycle's), then the tables, each before the ones it requires.
    teardown: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    # The roles of the user who makes the tests' rows and runs their happy paths: for each
    # rule that a plain signed-in user, owning the row, does not pass, the first role it
    # names (as new projects' tests choose theirs).
    actor_roles: tuple[str, ...] = ()

    def rows_of(self, name: str) -> int:
        """Rows of an entity one user can make in a test (see `HouseEntity.rows`)."""
        return next(e.rows for e in self.entities if e.name == name)

    @property
    def service_classes(self) -> bool:
        """Services as the project writes them: classes built per request by a dependency
        that needs a signed-in user, so a feature with a public action keeps functions."""
        public = any(a.public for e in self.entities for a in e.access.values())
        return self.style.service_classes and not public

    def schema_names(self, module: str) -> list[str]:
        """What the service or the router imports from the schemas module."""
        names = ["iso_8601"] if module == "router" and self.has_temporal else []
        for entity in self.entities:
            names += [entity.create_class, entity.update_class]
            if module == "router":
                names.append(entity.read_class)
                names += [entity.page_class] if entity.page_class else []
        return names

    @property
    def has_temporal(self) -> bool:
        """Dates or times some body or list parameter carries: `iso_8601` reads them."""
        return any(
            e.temporal("create") or e.temporal("update") or e.temporal_filters
            for e in self.entities
        )

    @property
    def has_datetimes(self) -> bool:
        """Datetimes some body carries: `in_utc` keeps them in UTC."""
        return any(e.datetimes(a) for e in self.entities for a in ("create", "update", "read"))

    @property
    def has_numbers(self) -> bool:
        return any(e.numbers("create") or e.numbers("update") or e.links for e in self.entities)

    @property
    def has_bools(self) -> bool:
        return any(e.bools("create") or e.bools("update") for e in self.entities)

    @property
    def has_nul_checks(self) -> bool:
        return any(e.nul_checked("create") or e.nul_checked("update") for e in self.entities)

    @property
    def enum_classes(self) -> list[str]:
        return [f.enum_class for e in self.entities for f in e.fields if f.enum_class]

    @property
    def links(self) -> list[HouseLink]:
        return [link for entity in self.entities for link in entity.links]

    @property
    def link_names(self) -> list[str]:
        """What the service and the tests import for the association tables: each table
        (SQLAlchemy), or each link class (SQLModel)."""
        return [link.link_model if self.style.sqlmodel else link.table for link in self.links]

    @property
    def rows_in_utc(self) -> bool:
        """Whether a check or a guard reads a datetime: the rows they judge are in UTC."""
        for entity in self.entities:
            read = set(entity.checked_fields)
            read |= {name for action in entity.actions for name in action.guard_fields}
            if any(f.kind == "datetime" and f.name in read for f in entity.fields):
                return True
        return False

    @property
    def checks_path(self) -> str | None:
        """Where the checks' runtime goes, beside the services (None: neither checks nor
        guards)."""
        judged = any(e.checks or any(a.guard for a in e.actions) for e in self.entities)
        return self._beside("service", "checks") if judged else None

    @property
    def checks_tests_path(self) -> str | None:
        """Where the runtime's own tests go, beside the feature's."""
        return self._beside("tests", "test_checks") if self.checks_path else None

    def _beside(self, layer: str, name: str) -> str:
        """A module named `name` in the folder of `layer`'s module: the feature's own
        folder, or, where features share one, named after the feature too."""
        folder = self.style.paths[layer].rpartition("/")[0]
        if "{feature}" in self.style.path_templates[layer].rpartition("/")[0]:
            return f"{folder}/{name}.py"
        prefix, _, rest = name.partition("_")
        named = f"{prefix}_{self.name}_{rest}" if rest else f"{self.name}_{name}"
        return f"{folder}/{named}.py"

    @property
    def checks_module(self) -> str | None:
        path = self.checks_path
        return self.style.module_at(path) if path else None

    @property
    def check_imports(self) -> list[str]:
        """The runtime's functions the checks call, and `first_broken` that runs them."""
        helpers = {"compare", "member", "not_member", *RUNTIME_CALLS.values()}
        sources = [c.source for e in self.entities for c in e.checks]
        sources += [a.guard.source for e in self.entities for a in e.actions if a.guard]
        used = {name for name in helpers if any(f"{name}(" in s for s in sources)}
        return sorted({"first_broken", *used})

    def inverse_rows(self, entity: HouseEntity, inverse: HouseInverse) -> InverseRows:
        """How the test of `entity`'s rows under `inverse` makes them (see `InverseRows`)."""
        wanted = 1 if entity.one_per_parent(inverse.column) else 2
        if inverse.entity.name == entity.name:  # a tree: parent and children share a table
            count = min(wanted, entity.rows - 1)
            return InverseRows(1, count, entity.rows >= count + 3, count + 1, count + 2)
        count = min(wanted, entity.rows)
        another = entity.rows > count and self.rows_of(inverse.entity.name) >= 2
        return InverseRows(0, count, another, 1, count)

    def by_name(self, name: str) -> HouseEntity:
        return next(e for e in self.entities if e.name == name)

    def probe(self, entity: HouseEntity, flt: HouseFilter) -> JSONValue | None:
        """What a filter's test sends, so that of the rows it makes some are found and
        some left out. None: the values those rows have (theirs, or across a relation
        their parents', each made with the row's index) do not differ, and there is no
        such test."""
        indices = range(entity.test_rows)
        source, attribute = entity, flt.attribute
        if flt.parent is not None:
            relation = next(r for r in entity.relations if r.column == flt.column)
            if relation.nullable or self.rows_of(flt.parent) < 3:
                return None  # the rows would share a parent, or have none
            source = self.by_name(flt.parent)
        rows = [source.samples[i % len(source.samples)] for i in indices]
        present = [row[attribute] for row in rows if row.get(attribute) is not None]
        field = next(f for f in source.fields if f.name == attribute)
        return _probe(flt.op, present, [value for _member, value in field.enum_members])


def _literal(field: Field, value: Any) -> str:
    if field.type is FieldType.DECIMAL:
        return f'Decimal("{value}")'
    if field.type in (FieldType.DATE, FieldType.DATETIME, FieldType.TIME, FieldType.UUID):
        return f"{_PY_TYPES[field.type]}.fromisoformat({str(value)!r})".replace(
            "uuid.UUID.fromisoformat", "uuid.UUID"
        )
    return repr(value)


_SHAPES = {FieldType.EMAIL: EMAIL_PATTERN, FieldType.URL: URL_PATTERN}


def _constraints(domain: Domain, *, sqlmodel: bool = False) -> str:
    """Keyword arguments of pydantic's `Field`, or of SQLModel's, enforcing a domain.

    SQLModel's `Field` types numeric bounds as floats and hands `regex` to pydantic 2,
    which ignores it: the pattern goes through `schema_extra` instead. Pydantic takes one
    pattern, so a str's own pattern stands in for the NUL rule here, and a validator of
    the schema refuses a NUL the pattern admits (`HouseField.nul_checked`).
    """
    parts: list[str] = []
    if domain.min_length is not None:
        parts.append(f"min_length={domain.min_length}")
    limits = [n for n in (domain.max_length, domain.column_limit) if n is not None]
    if limits:
        parts.append(f"max_length={min(limits)}")
    pattern = domain.pattern or _SHAPES.get(domain.kind) or (NO_NUL if domain.nul_free else None)
    if pattern is not None:
        parts.append(_pattern(pattern, sqlmodel))
    if domain.digits is not None:
        parts += [f"max_digits={domain.digits}", f"decimal_places={domain.places}"]
    for keyword, bound in (("ge", domain.minimum), ("le", domain.maximum)):
        if bound is None:
            continue
        if isinstance(bound, Decimal) and sqlmodel:
            parts.append(f"{keyword}={float(bound)!r}")
        elif isinstance(bound, Decimal):
            parts.append(f'{keyword}=Decimal("{bound}")')
        else:
            parts.append(f"{keyword}={bound!r}")
    # Pydantic's Decimal refuses infinity and NaN by itself; its float must be told.
    if domain.finite and domain.kind is FieldType.FLOAT:
        parts.append("schema_extra={'allow_inf_nan': False}" if sqlmodel else "allow_inf_nan=False")
    return ", ".join(parts)


def _pattern(pattern: str, sqlmodel: bool) -> str:
    return f"schema_extra={{'pattern': {pattern!r}}}" if sqlmodel else f"pattern={pattern!r}"


def _column_type(column: Column, enum_class: str | None) -> str:
    if column.kind in (FieldType.STR, FieldType.EMAIL, FieldType.URL):
        return f"String({column.length})" if column.length else "Text()"
    if column.kind is FieldType.DECIMAL:
        return f"Numeric({column.precision}, {column.scale})"
    if column.kind is FieldType.ENUM:
        # The values are stored, as the API spells them (SQLAlchemy would store the
        # members' names, which differ for a value such as `3d`).
        stored = "values_callable=lambda kinds: [kind.value for kind in kinds]"
        return f"Enum({enum_class}, native_enum=False, length={column.length}, {stored})"
    return _COLUMN_TYPES[column.kind]


def _field(entity: Entity, field: Field, column: Column) -> HouseField:
    domain = domain_of(field)
    enum_class = None
    members: tuple[tuple[str, str], ...] = ()
    python_type = _PY_TYPES.get(field.type, "str")
    if field.type is FieldType.ENUM:
        enum_class = names.enum_class(entity, field.name)
        members = tuple((names.enum_member(v), v) for v in field.values)
        python_type = enum_class
    default = None
    if field.has_default and field.default is not None:
        default = (
            f"{enum_class}.{names.enum_member(str(field.default))}"
            if enum_class
            else _literal(field, field.default)
        )
    return HouseField(
        name=field.name,
        python_type=python_type,
        nullable=field.nullable,
        column_type=_column_type(column, enum_class),
        default=default,
        constraints=_constraints(domain),
        sqlmodel_constraints=_constraints(domain, sqlmodel=True),
        enum_class=enum_class,
        enum_members=members,
        unique=field.unique,
        column_unique=column.unique,
        indexed=column.indexed,
        on_create=field.writable_on_create,
        on_update=field.writable_on_update,
        readable=field.readable,
        comparison=_COMPARISON.get(field.type, "json") if field.readable else "none",
        kind=field.type.value,
        nul_checked=domain.pattern is not None and nul_case(field) is not None,
    )


_ON_DELETE = {
    OnDelete.CASCADE: "CASCADE",
    OnDelete.RESTRICT: "RESTRICT",
    OnDelete.SET_NULL: "SET NULL",
}


def _access(condition: Condition, admin_flag: str | None) -> Access:
    """The design's condition of one action, with `role:admin` as the users' own flag
    where they have one."""
    named = tuple(dict.fromkeys(condition.roles))
    flagged = admin_flag is not None and "admin" in named
    return Access(
        public=condition.public,
        authenticated=condition.authenticated,
        owner=condition.owner,
        admin=flagged,
        roles=tuple(r for r in named if not (flagged and r == "admin")),
    )


def _frees_unique(entity: Entity, samples: list[dict[str, JSONValue]]) -> bool:
    """Whether some uniqueness of a soft-deleted entity has every member set in the first
    sample (fields sent, required relations, the owner): a deleted row then frees it."""
    required = {r.name for r in entity.relations if r.required}
    required |= {r.column for r in entity.relations if r.required}
    required |= {"owner"} if entity.owned else set()
    first = samples[0] if samples else {}
    return entity.soft_delete and any(
        all(first.get(m) is not None or m in required for m in group)
        for group in _unique_members(entity)
    )


def _role_table(
    spec: FeatureSpec, style: HouseStyle, entities: list[HouseEntity]
) -> RoleTable | None:
    """The feature's role table, if a rule names a role the users' flag does not stand for."""
    kept = {role for e in entities for rule in e.access.values() for role in rule.roles}
    if not kept:
        return None
    model = f"{names.pascal(spec.feature)}UserRole"
    table = snake(model)
    return RoleTable(
        model=model,
        table=pluralize(table) if style.plural_tables else table,
        roles=tuple(r for r in spec.roles if r in kept),
    )


def _actor_roles(entities: list[HouseEntity]) -> tuple[str, ...]:
    roles: dict[str, None] = {}
    for entity in entities:
        for rule in entity.access.values():
            if rule.anyone_signed_in or (rule.owner and entity.owned):
                continue
            first = ("admin",) if rule.admin else rule.roles[:1]
            roles.update(dict.fromkeys(first))
    return tuple(roles)


def _transitions(entity: Entity, samples: list[dict[str, JSONValue]]) -> list[HouseTransitions]:
    """Each state machine, with the moves a test tries: from a state the first sample can
    be made in, and, for an allowed move, to one it may hold (a state a check refuses is
    its 422, not the transition's answer)."""
    found = []
    data = check_data(entity)
    for transitions in entity.transitions:
        moves = transitions.moves

        def holds(state: str, field: str = transitions.field) -> bool:
            return data.meets_all({**samples[0], field: state})

        cases = []
        for start, end in itertools.permutations(moves, 2):
            allowed = end in moves[start]
            if holds(start) and (holds(end) or not allowed):
                cases.append(Move(start, end, allowed=allowed))
        constant = f"_{snake(entity.name).upper()}_{transitions.field.upper()}_MOVES"
        found.append(HouseTransitions(transitions.field, dict(moves), tuple(cases), constant))
    return found


def _samples(entity: Entity) -> list[dict[str, JSONValue]]:
    rows: list[dict[str, JSONValue]] = []
    for index in range(3):
        row: dict[str, JSONValue] = {}
        for field in entity.fields:
            if not field.writable_on_create:
                continue
            try:
                row[field.name] = valid_value(field, index)
            except SampleError:
                if field.required_on_create:
                    raise SpecError(
                        f"{entity.name}.{field.name}: cannot build a valid test value",
                        location=field.location,
                    ) from None
        rows.append(row)
    return _cycle(entity, meeting_checks(entity, rows, _unique_members(entity)))


def _unique_members(entity: Entity) -> list[tuple[str, ...]]:
    """Each uniqueness constraint's members, as the document names them (`owner` too)."""
    return [(f.name,) for f in entity.fields if f.unique] + _unique_groups(entity)


def _unique_groups(entity: Entity) -> list[tuple[str, ...]]:
    """The table's uniqueness constraints: the document's `unique` groups, and each
    one_to_one's link (a many_to_one whose parent takes one row at most)."""
    return list(entity.unique) + [(r.name,) for r in _unique_links(entity)]


def _unique_links(entity: Entity) -> list[Relation]:
    """The one_to_one relations whose link no `unique` group of the document already holds."""
    return [
        r
        for r in entity.relations
        if r.kind is RelationKind.ONE_TO_ONE and (r.name,) not in entity.unique
    ]


def _cycle(entity: Entity, rows: list[dict[str, JSONValue]]) -> list[dict[str, JSONValue]]:
    """The samples cut where a constraint's field values first repeat (an enum, a bool):
    the tests' rows then repeat them only past the cut."""
    cycle = len(rows)
    for group in _unique_members(entity):
        members = [name for name in group if name in rows[0]]
        seen: set[str] = set()
        for index, row in enumerate(rows[:cycle] if members else ()):
            key = repr([row[name] for name in members])
            if key in seen:
                cycle = index
                break
            seen.add(key)
    return rows[: max(cycle, 2)]  # the tests read SAMPLES[1]; _row_limits sees the repeat


def _row_limits(
    spec: FeatureSpec, samples: dict[str, list[dict[str, JSONValue]]]
) -> dict[str, int]:
    """Rows of each entity one user can make in a test (up to 3, as many as it needs).

    The index-th row gets the index-th sample and, for each required relation, the parent
    made for that index while the parent's own limit allows, else one it has already.
    """
    limits: dict[str, int] = {}
    by_name = {e.name: e for e in spec.entities}

    def limit(entity: Entity) -> int:
        if entity.name in limits:
            return limits[entity.name]
        rows = samples[entity.name]
        # A member names a relation as `doctor` or `doctor_id`.
        relations = {r.name: r for r in entity.relations} | {r.column: r for r in entity.relations}
        required = {m: r.target for m, r in relations.items() if r.required}
        best = 3
        for group in _unique_members(entity):
            if any(m in relations and m not in required for m in group):
                continue  # the tests leave it empty: nulls never collide
            parents = [limit(by_name[required[m]]) for m in group if m in required]
            seen: set[str] = set()
            for index in range(best):
                key: list[object] = [rows[index % len(rows)][m] for m in group if m in rows[0]]
                key += [index if index < cap else 0 for cap in parents]  # 0: one it has
                if repr(key) in seen:
                    best = index
                    break
                seen.add(repr(key))
        limits[entity.name] = best
        return best

    for entity in spec.entities:
        limit(entity)
    return limits


def _indexes(storage: Table, entity: Entity) -> list[Index]:
    """The design's indexes over columns this table has: the project's base class may
    have no `created_at`, so an index over it stays out (and so does that sort). Under
    soft delete, a one_to_one's link is unique among live rows like the other groups."""
    present = {"id", *(f.name for f in entity.fields), *(r.column for r in entity.relations)}
    if entity.owned:
        present.add("owner_id")
    if any(key.name == "updated_at" for key in entity.list.sort):
        present.add("updated_at")
    indexes = [index for index in storage.indexes if set(index.columns) <= present]
    if entity.soft_delete:
        indexes += [
            Index(
                index_name(storage.name, (r.column,), "uq"),
                (r.column,),
                IndexReason.LIVE_UNIQUE,
                unique=True,
                live_only=True,
            )
            for r in _unique_links(entity)
        ]
    return indexes


def _boundaries(
    entity: Entity, sample: dict[str, JSONValue]
) -> list[tuple[str, str, JSONValue, bool]]:
    """Values at and past each field's limits, sent over the first sample: a valid one
    only where it still meets every check with the sample's other fields."""
    found = []
    data = check_data(entity)
    for field in entity.fields:
        if not field.writable_on_create or field.type is FieldType.DATETIME:
            continue
        for case in boundary_cases(field)[:4]:
            if case.valid and not data.meets_all({**sample, field.name: case.value}):
                continue
            found.append((field.name, case.label, case.value, case.valid))
        if (nul := nul_case(field)) is not None:
            found.append((field.name, nul.label, nul.value, nul.valid))
    return found


_IN_A_NEW_PROJECT = "remove it, or generate the feature into a new project (backsmith new)"


_TEMPORAL = {FieldType.DATE, FieldType.DATETIME, FieldType.TIME}


def _probe(op: str, present: list[JSONValue], alternatives: list[str]) -> JSONValue | None:
    if len({_ordering(v) for v in present}) < 2:
        return None
    if op == "eq":
        return present[0]
    if op == "in":  # two alternatives: one a row has, one that no row or one row has
        distinct = list(dict.fromkeys(str(v) for v in present))
        absent = [value for value in alternatives if value not in distinct]
        if absent:
            return f"{distinct[0]},{absent[0]}"
        # Every value is some row's: a second alternative must still leave a row out.
        return f"{distinct[0]},{distinct[1]}" if len(distinct) > 2 else distinct[0]
    pick = max if op == "gte" else min
    return pick(present, key=_ordering)


def _ordering(value: JSONValue) -> Decimal | str:
    """A sample value as the database orders it: numbers by value; dates, times and
    instants (ISO 8601, all in UTC) as their text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit():
        return Decimal(value)  # a decimal sample, sent as text
    return str(value)


def _filter(flt: Filter) -> HouseFilter:
    """The design's filter as the router's parameter: bounded so that no value reaches the
    database that it would refuse (a 422, never a 500), without the document's own ranges
    (a value outside them simply finds nothing)."""
    f = flt.field
    if f is None:  # a relation's id
        annotation = f"Annotated[int | None, Query(ge=1, le={MAX_ID})]"
    elif flt.op is FilterOp.IN:
        pattern = alternatives_pattern(f.values)
        annotation = f"Annotated[str | None, Query(pattern={pattern!r})]"
    elif f.type in _TEMPORAL:
        annotation = f"Annotated[{_PY_TYPES[f.type]} | None, BeforeValidator(iso_8601)]"
    elif f.type in STRING_TYPES:
        annotation = f"Annotated[str | None, Query(pattern={NO_NUL!r})]"
    elif f.type in COLUMN_RANGES:
        low, high = COLUMN_RANGES[f.type]
        annotation = f"Annotated[int | None, Query(ge={low}, le={high})]"
    elif f.type is FieldType.ENUM:
        annotation = f"{names.enum_class(flt.owner, f.name)} | None"
    else:
        annotation = f"{_PY_TYPES[f.type]} | None"
    across = flt.across
    return HouseFilter(
        param=flt.param,
        op=flt.op.value,
        attribute=flt.member,
        annotation=annotation,
        kind=f.type.value if f else None,
        parent=flt.owner.name if across else None,
        parent_snake=snake(flt.owner.name) if across else None,
        parent_plural=names.entity_plural(flt.owner) if across else None,
        column=across.column if across else None,
    )


def _sorts(entity: Entity, attribute: dict[str, str]) -> list[tuple[str, str, bool]]:
    """Each sort key of the document: its `?sort=` value, the attribute it orders by, and
    whether descending. The tables made here keep no timestamps of the project's base
    class (it may have none): `created_at` orders by id, which rows take in the order they
    are made; `updated_at` by a column of the table's own, which every write sets (see
    `HouseEntity.stamps_updates`). (`attribute`: the model attribute of each relation,
    and of `owner`.)"""
    sorts = []
    for key in entity.list.sort:
        by = "id" if key.name == "created_at" else attribute.get(key.name, key.name)
        sorts.append((str(key), by, key.descending))
    return sorts


# Field types whose order a test can check by sorting the JSON values it was sent: the same
# in Python and on every database (an enum is ordered by declaration on PostgreSQL, a decimal
# is sent as text, and datetimes and uuids come back in more than one spelling).
_SORTED_ALIKE = frozenset(
    {
        FieldType.INT,
        FieldType.BIGINT,
        FieldType.FLOAT,
        FieldType.BOOL,
        FieldType.DATE,
        FieldType.STR,
        FieldType.TEXT,
        FieldType.EMAIL,
    }
)


def _sort_cases(
    entity: Entity, sorts: list[tuple[str, str, bool]], samples: list[dict[str, JSONValue]]
) -> list[tuple[str, str]]:
    """The `?sort=` values a test checks, with the attribute of the answer it sorts by:
    `id`, and fields every sample sets, of a type ordered alike everywhere, that the
    answer shows."""
    cases = []
    for key, attribute, _descending in sorts:
        field = entity.field(attribute)
        checkable = attribute == "id" or (
            field is not None
            and field.type in _SORTED_ALIKE
            and not field.write_only
            and all(row.get(attribute) is not None for row in samples)
        )
        if checkable:
            cases.append((key, attribute))
    return cases


def _unsupported(
    where: str, what: str, location: Location | None, hint: str = _IN_A_NEW_PROJECT
) -> SpecError:
    return SpecError(
        f"{where}: {what} not supported in existing projects yet", location=location, hint=hint
    )


def _refuse_unsupported(entity: Entity) -> None:
    """Business rules this blueprint does not generate yet: refused, never silently dropped."""
    used = {
        "computed": bool(entity.computed),
        "tenant": entity.tenant,
    }
    for option, in_use in used.items():
        if in_use:
            raise _unsupported(entity.name, f"`{option}` is", entity.location)
    for field in entity.fields:
        if field.read_access or field.write_access:
            raise _unsupported(f"{entity.name}.{field.name}", "field `access` is", field.location)
    for relation in entity.relations:
        where = f"{entity.name}.{relation.name}"
        if relation.embed:
            raise _unsupported(where, "`embed` is", relation.embed_locations[0])


def _refuse_taken_tables(spec: FeatureSpec, style: HouseStyle) -> None:
    """An entity whose table, or whose class in the shared models module, the project
    already has: Alembic would refuse the second definition, and a shared module would
    lose the project's own class."""
    models = style.module_of("models")
    for entity in spec.entities:
        table = style.table_name(entity.name)
        taken = style.existing_tables.get(table)
        clash = next(
            (m for m in style.existing_tables.values() if m == f"{models}:{entity.name}"), None
        )
        if taken or clash:
            where = f"table `{table}` ({taken})" if taken else f"class {clash}"
            raise SpecError(
                f"{entity.name}: this project already has the {where}",
                entity.location,
                hint="rename the entity; to extend the project's own model, add to it by hand",
            )


def build_house_feature(spec: FeatureSpec, style: HouseStyle) -> HouseFeature:
    _refuse_taken_tables(spec, style)
    entities: list[HouseEntity] = []
    by_name = {e.name: e for e in spec.entities}
    accesses = {e.name: access_of(e) for e in spec.entities}
    for entity in spec.entities:
        _refuse_unsupported(entity)
        access = accesses[entity.name]
        plural = names.entity_plural(entity)
        name = entity.name
        storage = table_of(entity, spec, name=style.table_name(name))
        relations = [
            HouseRelation(
                name=r.name,
                column=r.column,
                target=r.target,
                target_snake=snake(r.target),
                target_table=style.table_name(r.target),
                nullable=not r.required,
                on_delete=_ON_DELETE[r.on_delete],
                target_soft_delete=by_name[r.target].soft_delete,
                target_read_public=accesses[r.target].condition("read").public,
            )
            for r in entity.relations
        ]
        attribute = {r.name: r.column for r in entity.relations} | {"owner": "owner_id"}
        sorts = _sorts(entity, attribute)
        order = [(a, d) for _key, a, d in sorts[:1]] + [("id", False)]
        samples = _samples(entity)
        entities.append(
            HouseEntity(
                name=name,
                snake=snake(name),
                plural=plural,
                table=style.table_name(name),
                path=collection_path(entity),
                owned=entity.owned,
                fields=[_field(entity, f, storage.column(f.name)) for f in entity.fields],
                relations=relations,
                access={a: _access(c, style.superuser_flag) for a, c in access.actions.items()},
                unique=[tuple(attribute.get(m, m) for m in g) for g in _unique_groups(entity)],
                indexes=_indexes(storage, entity),
                filters=[_filter(f) for f in list_of(entity, spec).filters],
                search=list(entity.list.search),
                sorts=sorts,
                default_order=order,
                children=[
                    Child(
                        other.name,
                        snake(other.name),
                        names.entity_plural(other),
                        r.column,
                        r.on_delete,
                        soft_delete=other.soft_delete,
                        shares_parent=any(
                            o.required and o.target == name and o.column != r.column
                            for o in other.relations
                        ),
                    )
                    for other in spec.entities
                    for r in other.relations
                    if r.target == name
                ],
                samples=samples,
                sort_cases=_sort_cases(entity, sorts, samples),
                boundaries=_boundaries(entity, samples[0]),
                read_class=f"{name}{style.read_suffix}",
                create_class=f"{name}Create",
                update_class=f"{name}Update",
                page_default=entity.list.page_size.default,
                page_max=entity.list.page_size.max,
                access_cells=[],  # once the actions' rows are known, below
                transitions=_transitions(entity, samples),
                soft_delete=entity.soft_delete,
                versioned=entity.versioned,
                stamps_updates=any(key.name == "updated_at" for key in entity.list.sort),
                frees_unique=_frees_unique(entity, samples),
                page_class=None
                if style.pagination.model
                else f"{pluralize(name)}{style.read_suffix}",
            )
        )
    for house, entity in zip(entities, spec.entities, strict=True):
        house.links = [_link(entity, table, by_name, style) for table in link_tables_of(entity)]
    for house in entities:
        house.linked_by = [
            link for other in entities for link in other.links if link.target == house.name
        ]
    for house, entity in zip(entities, spec.entities, strict=True):
        _add_checks(house, entity)
        house.actions = [_action(house, entity, a) for a in entity.actions]
        tested = [a.name for a in house.tested_actions]
        matrix = build_matrix(accesses[entity.name], spec.roles, parents=[], custom_actions=tested)
        house.access_cells = [
            c for cells in matrix.cells.values() for c in cells if c.action != "create"
        ]
    houses = {house.name: house for house in entities}
    for entity in spec.entities:
        for relation in entity.relations:
            if relation.inverse is None:
                continue
            parent = houses[relation.target]
            houses[entity.name].inverses.append(
                HouseInverse(
                    name=relation.inverse,
                    entity=parent,
                    column=relation.column,
                    path=f"{parent.path}/{{{parent.snake}_id}}/{relation.inverse}",
                    function=f"list_{relation.inverse}_of_{parent.snake}",
                )
            )
    limits = _row_limits(spec, {e.name: e.samples for e in entities})
    for house in entities:
        house.rows = limits[house.name]
    for house in entities:
        links = Counter((c.entity, c.on_delete) for c in house.children)
        house.children = [
            dataclasses.replace(
                c, via=f"_via_{c.column}" if links[(c.entity, c.on_delete)] > 1 else ""
            )
            for c in house.children
        ]
    return HouseFeature(
        name=spec.feature,
        title=spec.title or spec.feature,
        entities=entities,
        style=style,
        role_table=_role_table(spec, style, entities),
        actor_roles=_actor_roles(entities),
        teardown=_teardown(spec),
    )


def _add_checks(house: HouseEntity, entity: Entity) -> None:
    """The entity's cross-field checks, the cases that break them, and what of the other
    tests a check would answer first (see `HouseEntity.unique_untested`)."""
    if not entity.checks:
        return
    house.checks = [
        HouseCheck(f"_{house.snake}_check_{index}", c.rule, c.message, to_python(c.tree))
        for index, c in enumerate(entity.checks, start=1)
    ]
    house.checked_fields = tuple(dict.fromkeys(n for c in entity.checks for n in c.fields))
    updatable = {f.name for f in entity.fields if f.writable_on_update}
    house.check_cases, _unbroken = check_cases(entity, house.samples, updatable)
    data = check_data(entity)
    first, second = house.samples[0], house.samples[1 % len(house.samples)]
    moving = {t.field for t in entity.transitions}
    changes = {k: v for k, v in second.items() if k in updatable and k not in moving}
    house.updates_meet_checks = data.meets_all({**first, **changes})
    groups = [(f.name,) for f in house.fields if f.unique] + house.unique
    house.unique_untested = [
        group
        for group in groups
        if not data.meets_all({**second, **{m: first[m] for m in group if m in first}})
    ]


def _action(house: HouseEntity, entity: Entity, action: CustomAction) -> HouseAction:
    by_name = {f.name: f for f in house.fields}
    changes = [(name, _value_source(entity, name, value)) for name, value in action.values.items()]
    for name in action.stamped:
        kind = by_name[name].kind
        changes.append((name, "datetime.now(UTC)" if kind == "datetime" else "date.today()"))
    guard = None
    if action.guard is not None:
        guard = HouseCheck(
            f"_{house.snake}_{action.name}_allowed",
            action.guard.rule,
            action.guard.message,
            to_python(action.guard.tree),
        )
    unique = [(f.name,) for f in house.fields if f.unique] + house.unique
    return HouseAction(
        name=action.name,
        summary=action.description or _action_summary(action),
        changes=changes,
        guard=guard,
        guard_fields=action.guard.fields if action.guard else (),
        moves=[t for t in house.transitions if t.field in action.values],
        rows=action_rows(entity, action, house.samples, unique),
        rechecks=any(name in house.checked_fields for name, _value in changes),
    )


def _action_summary(action: CustomAction) -> str:
    """`Close: sets status="closed", closed_at=now.`, the values as the document writes
    them; only the fields where that would not fit on a line of a docstring."""

    def shown(value: Any) -> str:
        if value is None or isinstance(value, bool):
            return json.dumps(value)  # null, true, false
        if isinstance(value, (int, float, Decimal)):
            return str(value)
        if isinstance(value, (date, datetime, time)):
            return f'"{value.isoformat()}"'
        return f'"{value}"'  # text, an enum's value, a uuid

    sets = [f"{n}={shown(v)}" for n, v in action.values.items()]
    sets += [f"{n}=now" for n in action.stamped]
    summary = f"{action.name.capitalize()}: sets {', '.join(sets)}."
    if len(summary) > 72:
        summary = (
            f"{action.name.capitalize()}: sets {', '.join([*action.values, *action.stamped])}."
        )
    return summary


def _link(
    entity: Entity, table: LinkTable, by_name: dict[str, Entity], style: HouseStyle
) -> HouseLink:
    relation = next(r for r in entity.many_to_many if r.name == table.relation)
    target = by_name[table.target]
    return HouseLink(
        name=relation.name,
        ids=relation.ids,
        collection=relation.collection,
        owner=entity.name,
        table=table.name,
        owner_column=table.owner_column,
        target_column=table.target_column,
        target=target.name,
        target_snake=snake(target.name),
        target_plural=names.entity_plural(target),
        target_table=style.table_name(target.name),
        link_model=f"{entity.name}{names.pascal(relation.name)}Link",
        rows_function=f"_{snake(entity.name)}_{relation.name}_rows",
    )


def _value_source(entity: Entity, name: str, value: Any) -> str:
    """Python source of a value an action sets (an enum's member, a decimal ...)."""
    field = entity.field(name)
    assert field is not None  # noqa: S101 - the spec stage checks `set` names its fields
    if value is None:
        return "None"
    if field.type is FieldType.ENUM:
        return f"{names.enum_class(entity, name)}.{names.enum_member(str(value))}"
    return _literal(field, value)


def _teardown(spec: FeatureSpec) -> list[tuple[str, list[str]]]:
    """Each entity with its optional links, in an order that deletes every row before the
    rows its required links point at (required links form no cycle: SPEC refuses one)."""
    order: list[str] = []
    by_name = {e.name: e for e in spec.entities}

    def visit(entity: Entity) -> None:
        if entity.name in order:
            return
        for other in spec.entities:  # whatever requires this one goes first
            if other is not entity and any(
                r.required and r.target == entity.name for r in other.relations
            ):
                visit(other)
        if entity.name not in order:
            order.append(entity.name)

    for entity in spec.entities:
        visit(entity)
    return [(name, [r.column for r in by_name[name].relations if not r.required]) for name in order]
