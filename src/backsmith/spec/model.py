"""The feature IR: what a feature document means, independent of how it was written.

Parsers (`load.py` for PRP Markdown and YAML) produce a `FeatureSpec`; blueprints read it.
Every node keeps the `Location` it came from so later stages can point back into the
document. The IR is already validated: a `FeatureSpec` that exists is consistent.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from backsmith.errors import Location


class FieldType(StrEnum):
    STR = "str"
    TEXT = "text"
    INT = "int"
    BIGINT = "bigint"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    UUID = "uuid"
    EMAIL = "email"
    URL = "url"
    JSON = "json"
    ENUM = "enum"


NUMERIC_TYPES = frozenset({FieldType.INT, FieldType.BIGINT, FieldType.FLOAT, FieldType.DECIMAL})
ORDERED_TYPES = NUMERIC_TYPES | {FieldType.DATE, FieldType.DATETIME, FieldType.TIME}
STRING_TYPES = frozenset({FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL})


class Action(StrEnum):
    LIST = "list"
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class GrantKind(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    OWNER = "owner"
    ROLE = "role"


class OnDelete(StrEnum):
    RESTRICT = "restrict"
    CASCADE = "cascade"
    SET_NULL = "set_null"


class RelationKind(StrEnum):
    MANY_TO_ONE = "many_to_one"
    ONE_TO_ONE = "one_to_one"  # a many_to_one whose column is unique
    MANY_TO_MANY = "many_to_many"


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Grant(_Node):
    kind: GrantKind
    role: str | None = None  # set when kind is ROLE
    location: Location | None = None  # None: a default, not written in the document

    def __str__(self) -> str:
        return f"role:{self.role}" if self.kind is GrantKind.ROLE else self.kind.value


class Field(_Node):
    """A scalar column of an entity, with its validation rules."""

    name: str
    type: FieldType
    nullable: bool = False  # `?` or `required: false`: may be null and omitted on create
    default: Any = None
    has_default: bool = False
    unique: bool = False
    index: bool = False
    min: int | float | Decimal | None = None
    max: int | float | Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    values: tuple[str, ...] = ()  # enum values, in declared order
    precision: int | None = None
    scale: int | None = None
    description: str | None = None
    example: Any = None
    read_only: bool = False
    write_only: bool = False
    immutable: bool = False
    # Field-level access: who may see it in responses and who may send it. Empty means
    # the row's own rules: whoever may read the row sees it, whoever may write it sets it.
    read_access: tuple[Grant, ...] = ()
    write_access: tuple[Grant, ...] = ()
    location: Location | None = None

    @property
    def required_on_create(self) -> bool:
        """A client must send it on create: not optional, no default, not server-set."""
        return not (self.nullable or self.has_default or self.read_only)

    @property
    def writable_on_create(self) -> bool:
        return not self.read_only

    @property
    def writable_on_update(self) -> bool:
        return not (self.read_only or self.immutable)

    @property
    def readable(self) -> bool:
        return not self.write_only

    @property
    def guarded(self) -> bool:
        """Only some callers see it: it is absent from responses to the others."""
        return bool(self.read_access)

    @property
    def publicly_listable(self) -> bool:
        """Lists may filter, sort or search on it without revealing a value to anyone."""
        return self.type is not FieldType.JSON and not self.write_only and not self.guarded


class Relation(_Node):
    """A link to another entity.

    many_to_one: a foreign key `<name>_id` on the entity that declares it.
    many_to_many: a set of links in an association table, served as `<name>_ids`.
    """

    name: str
    target: str  # entity name
    kind: RelationKind = RelationKind.MANY_TO_ONE
    required: bool = True
    on_delete: OnDelete = OnDelete.RESTRICT
    # The target's read-only collection of these rows: `GET /targets/{id}/INVERSE`.
    inverse: str | None = None
    # Fields of the target that read responses carry as `NAME: {id, ...}` (many_to_one and
    # one_to_one only); each with where it is written, checked once every entity is read.
    embed: tuple[str, ...] = ()
    embed_locations: tuple[Location, ...] = ()
    location: Location | None = None

    @property
    def column(self) -> str:
        return f"{self.name}_id"

    @property
    def ids(self) -> str:
        """A many_to_many's field in requests and responses: `tag_ids` for `tag`."""
        return f"{self.name}_ids"

    @property
    def collection(self) -> str:
        """A many_to_many's attribute holding the linked rows: `tags` for `tag`."""
        return pluralize(self.name)


class SortKey(_Node):
    name: str  # a field name, a relation's name, `id`, `created_at` or `updated_at`
    descending: bool = False
    location: Location | None = None

    def __str__(self) -> str:
        return f"-{self.name}" if self.descending else self.name


class PageSize(_Node):
    default: int = 20
    max: int = 100


class RelationFilter(_Node):
    """`doctor.name` in `list.filter`: `?doctor__name=` filters by the parent's field."""

    relation: str
    field: str
    location: Location | None = None

    @property
    def param(self) -> str:
        return f"{self.relation}__{self.field}"


class ListOptions(_Node):
    filter: tuple[str, ...] = ()  # field names and relation names
    across: tuple[RelationFilter, ...] = ()  # fields of many_to_one parents
    sort: tuple[SortKey, ...] = ()
    search: tuple[str, ...] = ()
    page_size: PageSize = PageSize()


class ProseRule(_Node):
    """A business rule stated in prose: LLM mode implements it, or it is reported as left."""

    text: str
    entity: str | None = None  # None: a rule of the whole feature
    location: Location | None = None


class Transitions(_Node):
    """The allowed moves of an enum field: from each value, the values it may become."""

    field: str
    moves: dict[str, tuple[str, ...]]  # every enum value; () for a final one
    location: Location | None = None


class Check(_Node):
    """A cross-field rule: a condition every row must meet on create and update."""

    rule: str  # the expression, as written (whitespace collapsed)
    message: str  # the 422's message when the rule is broken
    tree: Any  # the parsed, type-checked expression (backsmith.spec.expressions.Node)
    fields: tuple[str, ...]  # the fields (and NAME_id columns) it reads
    location: Location | None = None


class CustomAction(_Node):
    """`POST /things/{id}/NAME`: sets fields, if its guard holds and the caller may."""

    name: str
    values: dict[str, Any]  # field -> the value it is set to
    stamped: tuple[str, ...] = ()  # date/datetime fields set to the current day or time
    guard: Check | None = None  # `when`: must be true, else a 409 with its message
    access: tuple[Grant, ...]
    description: str | None = None
    location: Location | None = None


class ComputedKind(StrEnum):
    COUNT = "count"
    SUM = "sum"


class Computed(_Node):
    """A read-only value over the rows of `source` that point at this entity's row."""

    name: str
    kind: ComputedKind
    source: str  # the entity whose rows are counted or summed
    field: str | None = None  # the summed field (sum only)
    via: str | None = None  # the source's relation to this entity; settled when loaded
    location: Location | None = None
    value_location: Location | None = None
    via_location: Location | None = None


class Entity(_Node):
    name: str  # PascalCase
    fields: tuple[Field, ...]
    relations: tuple[Relation, ...] = ()  # many_to_one: each is a `NAME_id` column
    # Kept apart from `relations`: a many_to_many adds no column to the entity, and every
    # reader of `relations` may count on one.
    many_to_many: tuple[Relation, ...] = ()
    owned: bool = False
    versioned: bool = False  # optimistic concurrency: a version column, ETag and If-Match
    soft_delete: bool = False  # DELETE sets deleted_at; POST .../restore undoes it
    # Rows belong to the tenant of the user who creates them; no query reaches another's.
    tenant: bool = False
    restore: tuple[Grant, ...] = ()  # who may restore (soft_delete only; default: delete's)
    transitions: tuple[Transitions, ...] = ()
    checks: tuple[Check, ...] = ()
    actions: tuple[CustomAction, ...] = ()
    computed: tuple[Computed, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()  # member names: fields, relation names, `owner`
    access: dict[Action, tuple[Grant, ...]]
    list: ListOptions = ListOptions()
    plural: str | None = None  # overrides the derived plural (`people` for Person)
    rules: tuple[ProseRule, ...] = ()
    description: str | None = None
    location: Location | None = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def relation(self, name: str) -> Relation | None:
        return next((r for r in self.relations if r.name == name), None)

    def link_table(self, relation: Relation) -> str:
        """The association table of one of its many_to_many relations: `ticket_labels`."""
        return f"{snake(self.name)}_{relation.collection}"


class FeatureSpec(_Node):
    feature: str  # snake_case
    title: str | None = None
    roles: tuple[str, ...] = ("admin",)  # always contains "admin"
    entities: tuple[Entity, ...]
    rules: tuple[ProseRule, ...] = ()  # feature-wide: the `rules:` key and `## Business rules`
    source: str | None = None  # path of the document it was read from

    @property
    def prose_rules(self) -> tuple[ProseRule, ...]:
        """Every rule written in prose, the feature's first, then each entity's."""
        return self.rules + tuple(rule for entity in self.entities for rule in entity.rules)

    description: str | None = None

    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.entities if e.name == name), None)


_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """`AppointmentSlot` -> `appointment_slot`."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def pluralize(word: str) -> str:
    """English plural of a snake_case word, for resource paths and table names."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    irregular = {
        "person": "people",
        "child": "children",
        "man": "men",
        "woman": "women",
        "mouse": "mice",
        "datum": "data",
        "criterion": "criteria",
        "analysis": "analyses",
        **{f: f[:-1] + "ves" for f in ("shelf", "leaf", "half", "wolf", "calf", "loaf", "thief")},
        **{f: f[:-2] + "ves" for f in ("knife", "life", "wife")},
    }
    if last in irregular:
        return prefix + irregular[last]
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    return prefix + last + "s"


def enum_member_name(value: str) -> str:
    """The Python enum member for an enum value: `in-progress` -> `IN_PROGRESS`.

    Runs of characters that are not ASCII letters or digits become one `_`; a leading
    digit gets a `V_` prefix. Returns "" when nothing usable is left; the spec parser
    refuses such values and values whose member names collide.
    """
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper()
    if name[:1].isdigit():
        return f"V_{name}"
    return name
