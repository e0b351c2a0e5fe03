"""Hypothesis strategies for valid feature documents, built as Python data.

`feature_documents()` draws a `Drawn` document: the data that is dumped as YAML, and a
small model of what was drawn (fields with their constraints, relations), which the
mistake strategies use to break exactly one thing. Every rule of `docs/spec.md` and
`backsmith.spec.parse` that can refuse a document is respected while drawing, so each
drawn document is valid by construction; `tests/spec/test_random_documents.py` holds
the strategy to that.

Documents are also *fair*: constraints can be met together (a pattern's examples fit its
lengths, a check can be both kept and broken within the fields' ranges, unique members
have more than a handful of values), so a generated project that fails on one points at
backsmith, not at an impossible document.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from backsmith.spec.model import pluralize, snake

# --------------------------------------------------------------------------- vocabulary

FEATURES = ("shop", "clinic", "helpdesk", "library", "tasks", "billing", "crm", "events")
ENTITY_NAMES = (
    "Ticket", "Project", "Note", "Invoice", "Author", "Book", "Label", "Comment", "Order",
    "Doctor", "Visit", "Shelf", "Category", "Person", "Box", "Gadget", "Team", "Reply",
)  # fmt: skip
FIELD_NAMES = (
    "title", "name", "body", "code", "price", "quantity", "rating", "due_on", "starts_at",
    "opens_at", "active", "contact", "homepage", "ref", "settings", "status", "kind",
    "level", "weight", "score", "notes", "serial", "born", "seen_at", "total", "budget",
    "color", "slug", "phone", "token", "secret", "stage", "amount", "opened_on",
)  # fmt: skip
ROLES = ("agent", "editor", "viewer", "manager", "auditor")
ACTION_NAMES = ("archive", "close", "approve", "publish", "mark_paid", "reopen", "flag")
# Names the parser reserves for fields and relations, and the columns options add.
RESERVED = frozenset(
    {"id", "created_at", "updated_at", "owner", "owner_id", "q", "limit", "cursor", "sort",
     "metadata", "registry", "version", "deleted_at", "tenant"}
)  # fmt: skip
RESERVED_ENTITIES = frozenset({"User", "Base", "Page"})

TYPES = (
    "str", "text", "int", "bigint", "float", "decimal", "bool", "date", "datetime",
    "time", "uuid", "email", "url", "json", "enum",
)  # fmt: skip
STRING_TYPES = frozenset({"str", "text", "email", "url"})
NUMBER_TYPES = frozenset({"int", "bigint", "float", "decimal"})
ORDERED_TYPES = NUMBER_TYPES | {"date", "datetime", "time"}
# The kinds the checks' language reads a field as (json is not readable).
KINDS = {
    **dict.fromkeys(NUMBER_TYPES, "number"),
    **dict.fromkeys(STRING_TYPES | {"uuid", "enum"}, "text"),
    "bool": "bool",
    "date": "date",
    "datetime": "datetime",
    "time": "time",
}

# A small family of realistic patterns, each with texts that match it.
PATTERNS: dict[str, tuple[str, ...]] = {
    r"^[A-Z]{2}-[0-9]{6}$": ("AB-123456", "ZX-000001"),
    r"^[a-z0-9]+(-[a-z0-9]+)*$": ("abc-12", "widget"),
    r"^[A-Z]{3}[0-9]{4}$": ("ABC1234", "QRS0001"),
    r"^\+?[0-9]{7,15}$": ("+4912345678", "1234567"),
    r"^#[0-9a-fA-F]{6}$": ("#a1b2c3", "#FFFFFF"),
    r"^[a-z]+$": ("abc", "hello"),
    r"^v[0-9]+\.[0-9]+\.[0-9]+$": ("v1.2.3", "v10.0.1"),
    r"[0-9]": ("a1", "2024"),  # unanchored: `re.search` semantics
}
ENUMS = (
    ("todo", "doing", "done"),
    ("open", "in-progress", "closed"),
    ("low", "medium", "high"),
    ("yes", "no"),
    ("3d", "2d", "vr"),
    ("draft", "in review", "published", "retired"),
)
TEXTS = ("x", "hello", "n/a", "Note: important", "yes", "50%", "a b c", "ünïcode")
EMAILS = ("a@example.com", "team.lead@example.org")
URLS = ("https://example.com", "http://example.org/path?x=1")
JSONS: tuple[Any, ...] = ([], {}, {"theme": "dark"}, [1, 2], "text", 3, True)
DATES = (date(2024, 5, 31), date(2024, 2, 29), "2000-01-01")
DATETIMES = ("2024-05-31T09:30:00Z", "2024-01-01T00:00:00+02:00")
TIMES = ("09:30:00", "23:59:59", "00:00")
DECIMAL_SHAPES = ((8, 2), (6, 3), (12, 2), (4, 1), (10, 0), (38, 10))
INT32 = 2**31 - 1
INT64 = 2**63 - 1

# --------------------------------------------------------------------------- the model


@dataclass(eq=False)  # drawn from lists of distinct fields: hashed by identity
class FieldModel:
    """What was drawn for one field: enough to refer to it correctly elsewhere."""

    name: str
    type: str
    nullable: bool = False
    default: Any = None
    has_default: bool = False
    unique: bool = False
    read_only: bool = False
    write_only: bool = False
    immutable: bool = False
    guarded: bool = False  # a field `access.read` rule: only some callers see it
    low: Any = None  # min, or min_length for text
    high: Any = None  # max, or max_length for text
    pattern: str | None = None
    values: tuple[str, ...] = ()
    precision: int | None = None
    scale: int | None = None
    long: bool = False  # written in the long form (a mapping)

    @property
    def required_on_create(self) -> bool:
        return not (self.nullable or self.has_default or self.read_only)

    @property
    def listable(self) -> bool:
        """Filter, sort and search may name it without revealing a value."""
        return self.type != "json" and not self.write_only and not self.guarded

    @property
    def wide(self) -> bool:
        """Enough distinct values for unique data in every generated test."""
        if self.type in ("bool", "enum", "json", "time"):
            return False
        if self.pattern is not None:
            return False
        if self.type in STRING_TYPES:
            return self.high is None or self.high >= 20
        if self.type in NUMBER_TYPES:
            low = self.low if self.low is not None else -(10**6)
            high = self.high if self.high is not None else 10**6
            return high - low >= 1000
        return True


@dataclass(eq=False)
class RelationModel:
    name: str
    target: str
    kind: str = "many_to_one"
    required: bool = True
    on_delete: str = "restrict"
    inverse: str | None = None
    embed: tuple[str, ...] = ()

    @property
    def column(self) -> str:
        return f"{self.name}_id"


@dataclass
class EntityModel:
    name: str
    owned: bool = False
    tenant: bool = False
    versioned: bool = False
    soft_delete: bool = False
    plural: str | None = None
    fields: dict[str, FieldModel] = field(default_factory=dict)
    relations: dict[str, RelationModel] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)  # every member name and derived column

    @property
    def table(self) -> str:
        return self.plural or pluralize(snake(self.name))

    def many_to_one(self) -> list[RelationModel]:
        return [r for r in self.relations.values() if r.kind != "many_to_many"]


@dataclass
class Drawn:
    """A drawn document: `data` is what is dumped; `entities` what it means."""

    data: dict[str, Any]
    roles: tuple[str, ...]
    entities: dict[str, EntityModel]


# --------------------------------------------------------------------------- helpers


def yaml_scalar(value: Any) -> str:
    """A value as the YAML text of a short form's `= DEFAULT`."""
    import yaml

    text: str = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _snake_ok(name: str) -> bool:
    return (
        bool(name)
        and name[0].isalpha()
        and name == name.lower()
        and "__" not in name
        and not name.endswith("_")
        and not keyword.iskeyword(name)
        and name not in RESERVED
        and not name.startswith("model_")
        and not name.endswith(("_id", "_ids", "_summary"))
    )


snake_words = st.from_regex(r"\A[a-z]{3,8}(_[a-z]{2,6})?\Z").filter(_snake_ok)
pascal_words = st.from_regex(r"\A[A-Z][a-z]{2,7}([A-Z][a-z]{2,6})?\Z").filter(
    lambda n: n not in RESERVED_ENTITIES and not n.endswith("Summary")
)


def _pick_name(draw: Any, pool: tuple[str, ...], taken: set[str], fresh: Any) -> str | None:
    """A name from `pool` (shrinks to the first), else a generated one, not in `taken`."""
    name: str = draw(st.one_of(st.sampled_from(pool), fresh))
    if name in taken:
        free = [n for n in pool if n not in taken]
        if not free:
            return None
        name = draw(st.sampled_from(free))
    return name


# --------------------------------------------------------------------------- values


def _strings(f: FieldModel) -> list[str]:
    """Texts valid for a str/text/email/url field."""
    if f.pattern is not None:
        pool: tuple[str, ...] = PATTERNS[f.pattern]
    elif f.type == "email":
        pool = EMAILS
    elif f.type == "url":
        pool = URLS
    else:
        pool = TEXTS
    low = f.low or 0
    high = f.high if f.high is not None else 10**6
    return [s for s in pool if low <= len(s) <= high]


def _number_in(draw: Any, f: FieldModel) -> Any:
    low, high = f.low, f.high
    if f.type in ("int", "bigint"):
        lo = low if low is not None else -1000
        hi = high if high is not None else 1000
        lo, hi = max(lo, min(hi, -1000)), min(hi, max(lo, 1000))
        return draw(st.integers(lo, hi))
    if f.type == "float":
        candidates = [0.5, 0.0, 1.0, 2.0, -1.25, 100.75]
    else:
        candidates = [0.5, 0.0, 1.0, 9.9, 2.0, -1.5]
        scale = f.scale if f.scale is not None else 2
        candidates = [c for c in candidates if Decimal(str(c)) == round(Decimal(str(c)), scale)]
    fits = [c for c in candidates if (low is None or c >= low) and (high is None or c <= high)]
    if not fits:
        return low if low is not None else high
    return draw(st.sampled_from(fits))


def value_for(draw: Any, f: FieldModel) -> Any:
    """A valid value of the field: its default, its example, what an action sets."""
    if f.type in STRING_TYPES:
        return draw(st.sampled_from(_strings(f)))
    if f.type in NUMBER_TYPES:
        return _number_in(draw, f)
    choices: dict[str, Any] = {
        "bool": st.booleans(),
        "date": st.sampled_from(DATES),
        "datetime": st.sampled_from(DATETIMES),
        "time": st.sampled_from(TIMES),
        "uuid": st.uuids().map(str),
        "json": st.sampled_from(JSONS),
        "enum": st.sampled_from(f.values or ("x",)),
    }
    return draw(choices[f.type])


# --------------------------------------------------------------------------- fields


def _constraints(draw: Any, f: FieldModel) -> None:
    """Lengths, ranges, patterns, precision: drawn so that values exist that meet them."""
    if f.type in ("str", "text") and draw(st.integers(0, 4)) == 0:
        f.pattern = draw(st.sampled_from(sorted(PATTERNS)))
    if f.type in STRING_TYPES:
        longest = max(len(s) for s in _strings(f))
        f.low = draw(st.sampled_from((None, None, 1, 3 if f.pattern is None else 1)))
        f.high = draw(st.sampled_from((None, 120, 200, max(longest, 40), 4000)))
        if f.type in ("email", "url") and f.high is not None:
            f.high = max(f.high, 40)
        if f.pattern is None and f.type == "str" and draw(st.integers(0, 5)) == 0:
            f.high = 10  # short text: only the shortest samples fit
    elif f.type in ("int", "bigint"):
        limit = INT32 if f.type == "int" else INT64
        f.low = draw(st.sampled_from((None, 0, 1, -10, -limit - 1)))
        f.high = draw(st.sampled_from((None, 5, 100, 10**6, limit)))
        if f.low is not None and f.high is not None and f.low > f.high:
            f.low, f.high = f.high, f.low
    elif f.type == "float":
        f.low = draw(st.sampled_from((None, 0.0, -1.5, 0.5)))
        f.high = draw(st.sampled_from((None, 1.0, 1.5, 1000.25)))
        if f.low is not None and f.high is not None and f.low > f.high:
            f.low, f.high = f.high, f.low
    elif f.type == "decimal":
        f.precision, f.scale = draw(st.sampled_from(DECIMAL_SHAPES))
        integer_digits = f.precision - f.scale
        top = float(10**integer_digits - 1) if integer_digits < 10 else 10.0**6
        f.low = draw(st.sampled_from((None, 0.0, 0.5 if f.scale else 1.0)))
        f.high = draw(st.sampled_from((None, top, 9.0)))
        if f.low is not None and f.high is not None and f.low > f.high:
            f.low, f.high = None, f.high
    elif f.type == "enum":
        f.values = draw(st.sampled_from(ENUMS))


def _short_args(f: FieldModel, precision: int | None) -> str:
    if f.type == "decimal" and precision is not None:
        return f"({precision},{f.scale})"
    if f.low is None and f.high is None:
        return ""
    if f.type in STRING_TYPES and f.low is None and f.high is not None:
        return f"({f.high})"  # a single number is a maximum length
    low = "" if f.low is None else _num(f.low)
    high = "" if f.high is None else _num(f.high)
    return f"({low}..{high})"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@st.composite
def field_of(draw: Any, /, name: str, owned: bool, tenant: bool, roles: tuple[str, ...]) -> Any:
    """One field: its model and the YAML value (short form, long form or enum shorthand)."""
    f = FieldModel(name=name, type=draw(st.sampled_from(TYPES)))
    _constraints(draw, f)
    # Enums are mostly required: transitions need a field that always has a value.
    f.nullable = draw(st.integers(0, 3)) == 0 if f.type == "enum" else draw(st.booleans())
    if f.type != "json" and f.wide and draw(st.integers(0, 3)) == 0:
        f.unique = True
    index = f.type != "json" and not f.unique and draw(st.integers(0, 4)) == 0
    # Flags of the long form only.
    flag = draw(st.sampled_from(("none", "none", "none", "read_only", "write_only", "immutable")))
    if flag == "read_only" and f.unique and not f.nullable:
        flag = "none"  # a read_only unique field must start empty: every row would share it
    setattr(f, flag, True) if flag != "none" else None
    if not f.unique and draw(st.integers(0, 2)) == 0:
        f.default = value_for(draw, f)
        f.has_default = True
    if f.read_only and not (f.nullable or f.has_default):
        f.nullable = True
    example = value_for(draw, f) if draw(st.integers(0, 5)) == 0 else None
    description = draw(st.sampled_from((None, None, None, "Shown in the API documentation.")))
    precision = f.precision
    access = _field_access(draw, f, owned, tenant, roles)

    long_only = (
        f.pattern is not None
        or flag != "none"
        or example is not None
        or description is not None
        or access is not None
        or f.type in ("enum",)
        or (f.type == "decimal" and (f.low is not None or f.high is not None))
    )
    f.long = long_only or draw(st.integers(0, 3)) == 0
    if not f.long:
        text = f.type + _short_args(f, precision) + ("?" if f.nullable else "")
        text += " unique" if f.unique else ""
        text += " index" if index else ""
        if f.has_default:
            text += " = " + yaml_scalar(f.default)
        return f, text
    body: dict[str, Any] = {}
    if f.type == "enum" and draw(st.booleans()):
        body["enum"] = list(f.values)
    else:
        body["type"] = f.type
        if f.type == "enum":
            body["values"] = list(f.values)
    if f.nullable:
        body["required"] = False
    elif draw(st.integers(0, 4)) == 0:
        body["required"] = True
    if f.has_default:
        body["default"] = f.default
    if f.unique:
        body["unique"] = True
    if index:
        body["index"] = True
    if f.type in STRING_TYPES:
        body.update(
            {k: v for k, v in (("min_length", f.low), ("max_length", f.high)) if v is not None}
        )
    elif f.type in NUMBER_TYPES:
        body.update({k: v for k, v in (("min", f.low), ("max", f.high)) if v is not None})
    if f.pattern is not None:
        body["pattern"] = f.pattern
    if f.type == "decimal" and (precision, f.scale) != (12, 2):
        body["precision"], body["scale"] = precision, f.scale
    if description is not None:
        body["description"] = description
    if example is not None:
        body["example"] = example
    if flag != "none":
        body[flag] = True
    if access is not None:
        body["access"] = access
    return f, body


def grants(
    draw: Any,
    *,
    owned: bool,
    tenant: bool,
    roles: tuple[str, ...],
    create: bool = False,
    public: bool = True,
) -> Any:
    """One grant or a list of distinct grants that the parser accepts for an action."""
    pool = ["authenticated", *(f"role:{r}" for r in roles)]
    if public and not tenant and not (create and owned):
        pool.append("public")
    if owned and not create:
        pool.append("owner")
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    if len(chosen) == 1 and draw(st.booleans()):
        return chosen[0]
    return chosen


def _field_access(
    draw: Any, f: FieldModel, owned: bool, tenant: bool, roles: tuple[str, ...]
) -> dict[str, Any] | None:
    if draw(st.integers(0, 5)) != 0:
        return None
    access: dict[str, Any] = {}
    if not f.write_only and draw(st.booleans()):
        access["read"] = grants(draw, owned=owned, tenant=tenant, roles=roles)
        f.guarded = True
    if not f.read_only and not f.required_on_create and (not access or draw(st.booleans())):
        access["write"] = grants(draw, owned=owned, tenant=tenant, roles=roles)
    return access or None


# --------------------------------------------------------------------------- document


@st.composite
def feature_documents(
    draw: Any, /, *, max_entities: int = 4, max_fields: int = 5, prose: bool = True
) -> Drawn:
    """A valid feature document: 1..max_entities entities of 1..max_fields fields."""
    data: dict[str, Any] = {"feature": draw(st.sampled_from(FEATURES))}
    if draw(st.integers(0, 3)) == 0:
        data["title"] = "A random feature"
    roles = tuple(draw(st.lists(st.sampled_from(ROLES), max_size=3, unique=True)))
    if roles or draw(st.integers(0, 4)) == 0:
        data["roles"] = list(roles) + (["admin"] if draw(st.integers(0, 3)) == 0 else [])
    all_roles = ("admin", *roles)

    count = draw(st.integers(1, max_entities))
    entities: dict[str, EntityModel] = {}
    plurals: set[str] = set()
    for _ in range(count):
        name = _pick_name(draw, ENTITY_NAMES, set(entities), pascal_words)
        if name is None or snake(name) in {snake(n) for n in entities}:
            continue
        entity = EntityModel(name=name)
        if draw(st.integers(0, 5)) == 0:
            entity.plural = snake(name) + "_items"
        if entity.table in plurals:
            entity.plural = None
            if entity.table in plurals:
                continue
        plurals.add(entity.table)
        entity.owned = draw(st.booleans())
        entity.tenant = draw(st.integers(0, 4)) == 0
        entity.versioned = draw(st.integers(0, 3)) == 0
        entity.soft_delete = draw(st.integers(0, 3)) == 0
        entities[name] = entity
    bodies: dict[str, dict[str, Any]] = {name: {} for name in entities}

    for entity in entities.values():
        body = bodies[entity.name]
        if draw(st.integers(0, 4)) == 0:
            body["description"] = f"What a {snake(entity.name)} is."
        if entity.plural is not None:
            body["plural"] = entity.plural
        for option in ("owned", "tenant", "versioned", "soft_delete"):
            if getattr(entity, option):
                body[option] = True
            elif option == "owned" and draw(st.integers(0, 5)) == 0:
                body[option] = False
        fields: dict[str, Any] = {}
        for _ in range(draw(st.integers(1, max_fields))):
            fname = _pick_name(draw, FIELD_NAMES, entity.taken, snake_words)
            if fname is None:
                break
            model, value = draw(field_of(fname, entity.owned, entity.tenant, all_roles))
            entity.fields[fname] = model
            entity.taken.add(fname)
            fields[fname] = value
        body["fields"] = fields

    order = list(entities)
    link_tables = {e.table for e in entities.values()}
    for position, entity in enumerate(entities.values()):
        relations = _relations(draw, entity, order[: position + 1], entities, link_tables)
        if relations:
            bodies[entity.name]["relations"] = relations
    for entity in entities.values():
        body = bodies[entity.name]
        _computed(draw, entity, entities, body)
        _rules_of(draw, entity, all_roles, body)
        _unique(draw, entity, body)
        _access(draw, entity, all_roles, body)
        _list(draw, entity, entities, body)
        if prose and draw(st.integers(0, 9)) == 0:
            body["rules"] = [{"prose": f"A {snake(entity.name)} is checked by a person."}]
    _inverses_and_embeds(draw, entities, bodies)
    data["entities"] = bodies
    if prose and draw(st.integers(0, 9)) == 0:
        data["rules"] = [{"prose": "Every change is reviewed once a week."}]
    return Drawn(data=data, roles=all_roles, entities=entities)


# --------------------------------------------------------------------------- relations


def _relation_name(draw: Any, entity: EntityModel, target: str, many: bool) -> str | None:
    base = snake(target)
    pool = (base, "parent", "related", f"main_{base}", f"backup_{base}", "primary")
    for _ in range(3):
        name: str = draw(st.sampled_from(pool))
        derived = {name, f"{name}_ids", pluralize(name)} if many else {name, f"{name}_id"}
        if many and (name == snake(entity.name) or keyword.iskeyword(pluralize(name))):
            continue
        if not (derived & (entity.taken | RESERVED)) and _snake_ok(name):
            return name
    return None


def _relations(
    draw: Any,
    entity: EntityModel,
    earlier: list[str],
    entities: dict[str, EntityModel],
    link_tables: set[str],
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 2))):
        # A shared entity may not reach into a tenant's rows.
        targets = [n for n in entities if entity.tenant or not entities[n].tenant]
        if not targets:
            break
        target = entities[draw(st.sampled_from(targets))]
        kind = draw(st.sampled_from(("many_to_one", "many_to_one", "one_to_one", "many_to_many")))
        if kind == "many_to_many" and target.soft_delete:
            kind = "many_to_one"
        many = kind == "many_to_many"
        name = _relation_name(draw, entity, target.name, many)
        if name is None:
            continue
        if many:
            table = f"{snake(entity.name)}_{pluralize(name)}"
            if table in link_tables:
                continue
            link_tables.add(table)
            entity.taken |= {name, f"{name}_ids", pluralize(name)}
            entity.relations[name] = RelationModel(name, target.name, kind, required=False)
            found[name] = {"to": target.name, "kind": kind}
            continue
        # Required links only point back to entities drawn earlier: no cycle, no self.
        may_require = target.name in earlier and target.name != entity.name
        required = may_require and draw(st.booleans())
        choices = ["restrict"]
        if not target.soft_delete:
            choices += ["cascade"] + ([] if required else ["set_null"])
        on_delete = draw(st.sampled_from(choices))
        relation = RelationModel(name, target.name, kind, required, on_delete)
        entity.relations[name] = relation
        entity.taken |= {name, relation.column}
        short = kind == "many_to_one" and on_delete == "restrict" and draw(st.booleans())
        if short:
            found[name] = target.name + ("" if required else "?")
            continue
        body: dict[str, Any] = {"to": target.name}
        if kind != "many_to_one" or draw(st.booleans()):
            body["kind"] = kind
        if not required or draw(st.booleans()):
            body["required"] = required
        if on_delete != "restrict" or draw(st.integers(0, 3)) == 0:
            body["on_delete"] = on_delete
        found[name] = body
    return found


def _inverses_and_embeds(
    draw: Any, entities: dict[str, EntityModel], bodies: dict[str, dict[str, Any]]
) -> None:
    """Inverse names are unique per target and miss its actions and `restore`."""
    taken_paths: dict[str, set[str]] = {
        name: {*e.actions, "restore"} for name, e in entities.items()
    }
    classes = {e.name for e in entities.values()}
    for e in entities.values():
        classes |= {
            e.name + "".join(p.capitalize() for p in f.name.split("_"))
            for f in e.fields.values()
            if f.type == "enum"
        }
    for entity in entities.values():
        written = bodies[entity.name].get("relations", {})
        for relation in entity.many_to_one():
            value = written[relation.name]
            target = entities[relation.target]
            if draw(st.integers(0, 3)) == 0:
                inverse = draw(
                    st.sampled_from((pluralize(snake(entity.name)), f"{relation.name}_of"))
                )
                if _snake_ok(inverse) and inverse not in taken_paths[target.name]:
                    taken_paths[target.name].add(inverse)
                    relation.inverse = inverse
            readable = [
                f.name for f in target.fields.values() if not f.write_only and not f.guarded
            ]
            summary = entity.name + "".join(p.capitalize() for p in relation.name.split("_"))
            summary += "Summary"
            if readable and summary not in classes and draw(st.integers(0, 3)) == 0:
                relation.embed = tuple(
                    draw(st.lists(st.sampled_from(readable), min_size=1, max_size=3, unique=True))
                )
                classes.add(summary)
            if relation.inverse is None and not relation.embed:
                continue
            if isinstance(value, str):  # the short form has no room for options
                value = {"to": relation.target, "required": relation.required}
                written[relation.name] = value
            if relation.inverse is not None:
                value["inverse"] = relation.inverse
            if relation.embed:
                value["embed"] = list(relation.embed)


# --------------------------------------------------------------------------- computed


def _computed(
    draw: Any, entity: EntityModel, entities: dict[str, EntityModel], body: dict[str, Any]
) -> None:
    computed: dict[str, Any] = {}
    for source in entities.values():
        if source.tenant and not entity.tenant:
            continue  # a shared entity may not count a tenant's rows
        links = [r for r in source.many_to_one() if r.target == entity.name]
        if not links or draw(st.integers(0, 2)) != 0:
            continue
        via = draw(st.sampled_from(links))
        numbers = [f for f in source.fields.values() if f.type in NUMBER_TYPES and f.listable]
        name = f"{snake(source.name)}_{draw(st.sampled_from(('count', 'total')))}"
        if name in entity.taken or not _snake_ok(name):
            continue
        if numbers and draw(st.booleans()):
            value: dict[str, Any] = {"sum": f"{source.name}.{draw(st.sampled_from(numbers)).name}"}
        else:
            value = {"count": source.name}
        if len(links) > 1 or draw(st.integers(0, 3)) == 0:
            value["via"] = via.name
        computed[name] = value
        entity.taken.add(name)
        entity.computed.append(name)
    if computed:
        body["computed"] = computed


# --------------------------------------------------------------------------- rules


def _literal(value: Any, f: FieldModel) -> str:
    if f.type == "date":
        return f'date("{value}")'
    if f.type == "datetime":
        return f'datetime("{value}")'
    if f.type == "time":
        return f'time("{value}")'
    if isinstance(value, str):
        return f'"{value}"'
    return _num(value)


def conditions(draw: Any, entity: EntityModel) -> list[str]:
    """Conditions over the entity's fields that some rows meet and others break."""
    readable = [f for f in entity.fields.values() if f.type in KINDS]
    found: list[str] = []
    for f in readable:
        empty = f"{f.name} is null or " if f.nullable else ""
        if f.type in ("int", "bigint"):
            low = f.low if f.low is not None else -100
            high = f.high if f.high is not None else 100
            middle = (low + high) // 2
            # Kept by the default (if any) and broken above the middle.
            if high - low >= 2 and not (f.has_default and f.default > middle):
                found.append(f"{empty}{f.name} <= {middle}")
        elif f.type == "enum" and len(f.values) > 1:
            kept = [v for v in f.values if v != f.default][:1] or list(f.values[:1])
            found.append(f"{f.name} != {_literal(kept[0], f)}")
        elif f.type == "date":
            found.append(f'{empty}{f.name} >= date("2000-01-01")')
        elif f.type in ("str", "text") and f.pattern is None:
            found.append(f'{f.name} != "forbidden"')
    nullable = [f for f in readable if f.nullable]
    for f in readable:
        if f.type == "bool" and nullable:
            other = draw(st.sampled_from(nullable))
            found.append(f"not {f.name} or {other.name} is not null")
    dates = [f for f in readable if f.type in ("date", "datetime")]
    for a in dates:
        for b in dates:
            if a is not b and a.type == b.type and b.nullable:
                found.append(f"{b.name} is null or {b.name} >= {a.name}")
    return found


def _rules_of(draw: Any, entity: EntityModel, roles: tuple[str, ...], body: dict[str, Any]) -> None:
    """checks, transitions and actions."""
    candidates = conditions(draw, entity)
    checked: set[str] = set()
    if candidates and draw(st.integers(0, 2)) == 0:
        rules = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=2, unique=True))
        body["checks"] = [
            {"rule": rule, "message": f"Rule {i + 1} of {entity.name} is broken."}
            for i, rule in enumerate(rules)
        ]
        checked = {word for rule in rules for word in rule.split() if word in entity.fields}
    movable = [
        f
        for f in entity.fields.values()
        if f.type == "enum"
        and not (f.nullable or f.read_only or f.immutable or f.write_only or f.guarded)
    ]
    reachable: dict[str, set[str]] = {}  # a transition field: the values a move leads to
    if movable and draw(st.booleans()):
        f = draw(st.sampled_from(movable))
        moves: dict[str, Any] = {}
        for value in f.values:
            others = [v for v in f.values if v != value]
            if draw(st.integers(0, 3)) == 0:
                continue  # left out: final
            targets = draw(st.lists(st.sampled_from(others), max_size=len(others), unique=True))
            moves[value] = targets[0] if len(targets) == 1 and draw(st.booleans()) else targets
        body["transitions"] = {f.name: moves}
        reachable[f.name] = {
            t
            for targets in moves.values()
            for t in ([targets] if isinstance(targets, str) else targets)
        }
    # An action that always broke a check, or set a state no move leads to, could never
    # succeed: fair documents leave those fields alone.
    settable = [
        f
        for f in entity.fields.values()
        if not f.immutable
        and f.type != "json"
        and not f.unique
        and f.name not in checked
        and (f.name not in reachable or reachable[f.name])
    ]
    actions: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 2)) if settable else 0):
        name = draw(st.sampled_from(ACTION_NAMES))
        if name in actions:
            continue
        targets = draw(st.lists(st.sampled_from(settable), min_size=1, max_size=2, unique=True))
        values: dict[str, Any] = {}
        for f in targets:
            if f.type == "datetime" and draw(st.booleans()):
                values[f.name] = "now"
            elif f.type == "date" and draw(st.booleans()):
                values[f.name] = "today"
            elif f.name in reachable:
                values[f.name] = draw(st.sampled_from(sorted(reachable[f.name])))
            elif f.nullable and draw(st.integers(0, 3)) == 0:
                values[f.name] = None
            else:
                values[f.name] = value_for(draw, f)
        action: dict[str, Any] = {"set": values}
        if candidates and draw(st.booleans()):
            action["when"] = draw(st.sampled_from(candidates))
            if draw(st.booleans()):
                action["message"] = "Not allowed for this row now."
        if draw(st.integers(0, 2)) == 0:
            action["access"] = grants(draw, owned=entity.owned, tenant=entity.tenant, roles=roles)
        if draw(st.integers(0, 3)) == 0:
            action["description"] = f"{name.capitalize()} the row."
        actions[name] = action
        entity.actions.append(name)
    if actions:
        body["actions"] = actions


def _unique(draw: Any, entity: EntityModel, body: dict[str, Any]) -> None:
    members = [f.name for f in entity.fields.values() if f.wide]
    members += [r.name for r in entity.many_to_one()]
    if entity.owned:
        members.append("owner")
    if len(members) < 2 or draw(st.integers(0, 3)) != 0:
        return
    group = draw(st.lists(st.sampled_from(members), min_size=2, max_size=2, unique=True))
    written = [
        f"{m}_id" if m in entity.relations and draw(st.integers(0, 2)) == 0 else m for m in group
    ]
    body["unique"] = [written]


def _access(draw: Any, entity: EntityModel, roles: tuple[str, ...], body: dict[str, Any]) -> None:
    actions = ["list", "read", "create", "update", "delete"]
    if entity.soft_delete:
        actions.append("restore")
    access: dict[str, Any] = {}
    for action in actions:
        if draw(st.integers(0, 2)) == 0:
            access[action] = grants(
                draw,
                owned=entity.owned,
                tenant=entity.tenant,
                roles=roles,
                create=action == "create",
            )
    if access:
        body["access"] = access


def _list(
    draw: Any, entity: EntityModel, entities: dict[str, EntityModel], body: dict[str, Any]
) -> None:
    if draw(st.integers(0, 2)) == 0:
        return
    listable = [f for f in entity.fields.values() if f.listable]
    parents = entity.many_to_one()
    options: dict[str, Any] = {}
    filters = [f.name for f in listable] + [r.name for r in parents]
    filters += [
        f"{r.name}.{f.name}"
        for r in parents
        for f in entities[r.target].fields.values()
        if f.listable
    ]
    if filters and draw(st.booleans()):
        options["filter"] = draw(st.lists(st.sampled_from(filters), max_size=4, unique=True))
    sorts = [f.name for f in listable] + [r.name for r in parents]
    sorts += ["id", "created_at", "updated_at"]
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(sorts), min_size=1, max_size=3, unique=True))
        options["sort"] = [f"-{k}" if draw(st.booleans()) else k for k in keys]
    texts = [f.name for f in listable if f.type in STRING_TYPES]
    if texts and draw(st.booleans()):
        options["search"] = draw(st.lists(st.sampled_from(texts), min_size=1, unique=True))
    if draw(st.integers(0, 2)) == 0:
        maximum = draw(st.sampled_from((5, 50, 100, 1000)))
        size: dict[str, Any] = {"max": maximum}
        if draw(st.booleans()):
            size["default"] = draw(st.integers(1, maximum))
        options["page_size"] = size
    if options:
        body["list"] = options


def sample_documents(count: int, seed: int, **options: Any) -> list[dict[str, Any]]:
    """`count` documents drawn reproducibly from `seed` (for the soak and the CI sample).

    Hypothesis starts from the simplest document and grows; drawing three times as many
    and picking among them by the seed gives a spread of sizes.
    """
    import random

    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed

    found: list[dict[str, Any]] = []

    @with_seed(seed)
    @settings(
        max_examples=max(3 * count, 30),
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(feature_documents(**options))
    def collect(drawn: Drawn) -> None:
        found.append(drawn.data)

    collect()
    return random.Random(seed).sample(found, min(count, len(found)))  # noqa: S311 - a test sample
