"""Invalid feature documents: a valid drawn document with exactly one mistake injected.

Each injector changes or adds one node and returns the path of the entry that holds it,
so a test can check that the error's line and column point there. Additions get names
no other part of the document uses, and go last in their mapping: the parser reads in
document order, so the injected mistake is the first (and only) thing it can refuse.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import strategies as st

from backsmith.spec.model import snake
from tests.strategies.documents import Drawn, EntityModel, feature_documents
from tests.strategies.render import DupKey

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Mistake:
    """An invalid document, what is wrong with it, and where the mistake is written."""

    data: dict[str, Any]
    kind: str
    path: Path


Injector = Callable[[Any, dict[str, Any], Drawn], Path | None]
INJECTORS: dict[str, Injector] = {}


def injector(kind: str) -> Callable[[Injector], Injector]:
    def register(function: Injector) -> Injector:
        INJECTORS[kind] = function
        return function

    return register


# --------------------------------------------------------------------------- helpers


def _entity(draw: Any, drawn: Drawn) -> str:
    name: str = draw(st.sampled_from(sorted(drawn.entities)))
    return name


def _free(entity: EntityModel, base: str) -> str:
    """A member name nothing in the entity uses, nor derives a column from."""
    name = base
    n = 2
    while name in entity.taken or f"{name}_id" in entity.taken or f"{name}s" in entity.taken:
        name = f"{base}_{n}"
        n += 1
    return name


def _body(data: dict[str, Any], name: str) -> dict[str, Any]:
    body: dict[str, Any] = data["entities"][name]
    return body


def _field(draw: Any, drawn: Drawn, data: dict[str, Any]) -> tuple[str, str]:
    entity = _entity(draw, drawn)
    field = draw(st.sampled_from(sorted(drawn.entities[entity].fields)))
    return entity, field


def _replace_field(draw: Any, data: dict[str, Any], drawn: Drawn, values: list[Any]) -> Path:
    entity, field = _field(draw, drawn, data)
    _body(data, entity)["fields"][field] = draw(st.sampled_from(values))
    return ("entities", entity, "fields", field)


def _add_field(draw: Any, data: dict[str, Any], drawn: Drawn, values: list[Any]) -> Path:
    entity = _entity(draw, drawn)
    name = _free(drawn.entities[entity], "extra")
    _body(data, entity)["fields"][name] = draw(st.sampled_from(values))
    return ("entities", entity, "fields", name)


def _add_relation(draw: Any, data: dict[str, Any], drawn: Drawn, value: Any) -> Path:
    entity = _entity(draw, drawn)
    name = _free(drawn.entities[entity], "mistaken")
    relations = _body(data, entity).setdefault("relations", {})
    relations[name] = value(draw(st.sampled_from(sorted(drawn.entities))))
    return ("entities", entity, "relations", name)


def _set_access(draw: Any, data: dict[str, Any], entity: str, action: str, grant: Any) -> Path:
    _body(data, entity).setdefault("access", {})[action] = grant
    return ("entities", entity, "access", action)


# --------------------------------------------------------------------------- fields


@injector("unknown type")
def _unknown_type(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    other = sorted(drawn.entities)[0]  # an entity's name written as a type
    typos: list[Any] = ["strng", "integer", "datetme?", "boolean", "texts(1..5)", "Decimal", other]
    typos += [{"type": "flaot"}, {"type": "str(1..5)"}]
    return _replace_field(draw, data, drawn, typos)


@injector("bad range")
def _bad_range(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    values: list[Any] = [
        "int(5..1)",
        "str(10..2)",
        "int(..3000000000)",
        "str(0)",
        "float(1..0)",
        "int(5)",
        {"type": "str", "min_length": 10, "max_length": 2},
        {"type": "decimal", "precision": 4, "scale": 6},
        {"type": "decimal", "precision": 40},
        {"type": "int", "min": 1.5},
        {"type": "bigint", "max": 2**64},
        {"type": "text", "min_length": -1},
        {"type": "decimal", "precision": 4, "scale": 2, "max": 1000},
    ]
    return _replace_field(draw, data, drawn, values)


@injector("constraint on the wrong type")
def _wrong_constraint(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    values: list[Any] = [
        {"type": "int", "min_length": 1},
        {"type": "str", "min": 1},
        {"type": "bool", "pattern": "^x$"},
        {"type": "int", "values": ["a"]},
        {"type": "str", "precision": 4},
        "bool(1..2)",
        {"type": "json", "unique": True},
        "json index",
        "str unique unique",
        "str sometimes",
        "int =",
    ]
    return _replace_field(draw, data, drawn, values)


@injector("bad enum")
def _bad_enum(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    values: list[Any] = [
        {"enum": ["todo", "done"], "default": "doing"},
        {"enum": ["todo", "todo"]},
        {"enum": []},
        {"enum": ["in-progress", "in_progress"]},
        {"enum": ["a", "---"]},
        {"enum": [True, False]},
        {"enum": ["a", ""]},
        {"type": "enum"},
        {"enum": ["a"], "type": "enum"},
    ]
    return _add_field(draw, data, drawn, values)


@injector("bad default")
def _bad_default(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    values: list[Any] = [
        "int = abc",
        "int(1..5) = 9",
        "str(..3) = toolong",
        "bool = maybe",
        "date = 2024-13-45",
        "uuid = 12",
        "email = not-an-email",
        "url = ftp://example.com",
        "decimal(4,2) = 1.234",
        "str = null",
        {"type": "time", "default": "25:00"},
        {"type": "str", "pattern": "^[a-z]+$", "default": "ABC"},
        {"type": "json", "default": "2024-05-31", "example": {"d": date(2024, 5, 31)}},
        {"type": "datetime", "example": "yesterday"},
        {"type": "float", "default": ".inf"},
    ]
    return _add_field(draw, data, drawn, values)


@injector("bad pattern")
def _bad_pattern(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    patterns = ["^[a-z", "(?P<x", "*abc", "a{2,1}", "(unclosed"]
    values: list[Any] = [{"type": "str", "pattern": p} for p in patterns]
    values.append({"type": "int", "pattern": "^[0-9]+$"})
    values.append({"type": "str", "pattern": 12})
    return _add_field(draw, data, drawn, values)


@injector("bad field flags")
def _bad_flags(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    values: list[Any] = [
        {"type": "str", "read_only": True},
        {"type": "str", "read_only": True, "write_only": True, "required": False},
        {"type": "str", "read_only": True, "immutable": True, "required": False},
        {"type": "str", "required": "no"},
        {"type": "str", "unique": "yes please"},
        {"type": "int", "read_only": True, "unique": True, "default": 1},
        {"type": "str", "required": False, "write_only": True, "access": {"read": "public"}},
        {"type": "str", "access": {"write": "authenticated"}},
        {"type": "str", "required": False, "access": {}},
        {"type": "str", "required": False, "access": {"see": "public"}},
        {"type": "str", "required": False, "access": {"read": "role:ghost"}},
    ]
    return _add_field(draw, data, drawn, values)


@injector("reserved or badly written name")
def _bad_name(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    if draw(st.booleans()):
        entity = _entity(draw, drawn)
        names = ["id", "created_at", "owner_id", "metadata", "model_x", "class", "Title"]
        name = draw(st.sampled_from([*names, "two__words", "limit", "trailing_"]))
        _body(data, entity)["fields"][name] = "str"
        return ("entities", entity, "fields", name)
    name = draw(st.sampled_from(["User", "Base", "Page", "task_item", "None", "Bad-Name"]))
    data["entities"][name] = {"fields": {"name": "str"}}
    return ("entities", name)


# --------------------------------------------------------------------------- structure


@injector("unknown key")
def _unknown_key(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    body = _body(data, entity)
    where = draw(st.sampled_from(["top", "entity", "field", "relation", "access", "list", "page"]))
    if where == "top":
        data["entitys"] = {}
        return ("entitys",)
    if where == "field":
        name = _free(drawn.entities[entity], "extra")
        body["fields"][name] = {"type": "str", "maxlength": 10}
        return ("entities", entity, "fields", name, "maxlength")
    if where == "relation":
        name = _free(drawn.entities[entity], "mistaken")
        body.setdefault("relations", {})[name] = {"to": entity, "required": False, "target": 1}
        return ("entities", entity, "relations", name, "target")
    if where == "access":
        body.setdefault("access", {})["edit"] = "authenticated"
        return ("entities", entity, "access", "edit")
    if where == "list":
        body.setdefault("list", {})["order_by"] = ["id"]
        return ("entities", entity, "list", "order_by")
    if where == "page":
        body.setdefault("list", {})["page_size"] = {"max": 10, "min": 1}
        return ("entities", entity, "list", "page_size", "min")
    body["colour"] = "blue"
    return ("entities", entity, "colour")


@injector("wrong YAML type")
def _wrong_type(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    body = _body(data, entity)
    choice = draw(st.integers(0, 9))
    if choice == 0:
        body["fields"] = sorted(body["fields"])
        return ("entities", entity, "fields")
    if choice == 1:
        body["owned"] = "yes please"
        return ("entities", entity, "owned")
    if choice == 2:
        data["roles"] = {"agent": True}
        return ("roles",)
    if choice == 3:
        name = _free(drawn.entities[entity], "extra")
        body["fields"][name] = 3
        return ("entities", entity, "fields", name)
    if choice == 4:
        body["unique"] = "name"
        return ("entities", entity, "unique")
    if choice == 5:
        body["list"] = ["filter"]
        return ("entities", entity, "list")
    if choice == 6:
        data["feature"] = ["shop"]
        return ("feature",)
    if choice == 7:
        body["versioned"] = 1
        return ("entities", entity, "versioned")
    if choice == 8:
        body["checks"] = {"rule": "true"}
        return ("entities", entity, "checks")
    body["soft_delete"] = "on"
    return ("entities", entity, "soft_delete")


@injector("duplicate name")
def _duplicate(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    body = _body(data, entity)
    choice = draw(st.integers(0, 5))
    if choice == 0:
        field = draw(st.sampled_from(sorted(body["fields"])))
        body["fields"][DupKey(field)] = "str"
        return ("entities", entity, "fields", field)
    if choice == 1:
        data["entities"][DupKey(entity)] = {"fields": {"name": "str"}}
        return ("entities", entity)
    if choice == 2:
        roles = list(data.get("roles") or ["agent"])
        data["roles"] = [*roles, roles[0]]
        return ("roles",)
    if choice == 3:
        return _set_access(draw, data, entity, "update", ["authenticated", "authenticated"])
    if choice == 4:
        field = draw(st.sampled_from(sorted(body["fields"])))
        body.setdefault("relations", {})[field] = {"to": entity, "required": False}
        return ("entities", entity, "relations", field)
    # Two entity names that become the same module, table and path: BookLABEL, book_label.
    words = snake(entity).split("_")
    twin = "".join(w.capitalize() for w in words[:-1]) + words[-1].upper()
    if twin == entity or twin in data["entities"] or snake(twin) != snake(entity):
        field = sorted(body["fields"])[0]
        body["fields"][DupKey(field)] = "str"
        return ("entities", entity, "fields", field)
    data["entities"][twin] = {"fields": {"name": "str"}, "plural": "twins_of_" + snake(entity)}
    return ("entities", twin)


# --------------------------------------------------------------------------- relations


@injector("unknown relation target")
def _unknown_target(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    long = draw(st.booleans())
    ghost = draw(st.sampled_from(["Ghost", "User", "Tickets", "doctor"]))
    if ghost in drawn.entities:
        ghost = "Ghost"
    return _add_relation(
        draw, data, drawn, lambda _: {"to": ghost, "required": False} if long else f"{ghost}?"
    )


@injector("bad relation options")
def _bad_relation(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    options: list[Any] = [
        {"on_delete": "nullify", "required": False},
        {"on_delete": "set_null"},
        {"kind": "one_to_many"},
        {"kind": "many_to_few"},
        {"kind": "many_to_many", "on_delete": "cascade"},
        {"kind": "many_to_many", "required": True},
        {"kind": "many_to_many", "embed": ["id"]},
        {"required": "sometimes"},
        {"inverse": "Bad Name", "required": False},
        {"embed": [], "required": False},
        {"embed": ["no_such_field"], "required": False},
        {"embed": ["id", "id"], "required": False},
    ]
    extra = draw(st.sampled_from(options))
    return _add_relation(draw, data, drawn, lambda target: {"to": target, **extra})


@injector("required cycle")
def _cycle(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    name = _free(drawn.entities[entity], "loop")
    _body(data, entity).setdefault("relations", {})[name] = entity
    return ("entities", entity, "relations", name)


# --------------------------------------------------------------------------- access


@injector("bad access grant")
def _bad_grant(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    model = drawn.entities[entity]
    action = draw(st.sampled_from(["list", "read", "update", "delete"]))
    nonsense: tuple[Any, ...] = ("everyone", "owners", {"role": "admin"}, [], 3, "role:")
    bad: list[tuple[str, Any]] = [(action, grant) for grant in nonsense]
    if model.owned:
        bad += [("create", "owner"), ("create", "public")]
    else:
        bad.append((action, "owner"))
    if model.tenant:
        bad.append((action, "public"))
    if not model.soft_delete:
        bad.append(("restore", "authenticated"))
    where, grant = draw(st.sampled_from(bad))
    return _set_access(draw, data, entity, where, grant)


@injector("undeclared role")
def _undeclared_role(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    action = draw(st.sampled_from(["list", "read", "create", "update", "delete"]))
    role = draw(st.sampled_from(["ghost", "agnet", "Admin"]))
    grant = f"role:{role}" if draw(st.booleans()) else ["authenticated", f"role:{role}"]
    return _set_access(draw, data, entity, action, grant)


# --------------------------------------------------------------------------- lists


@injector("bad list option")
def _bad_list(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    model = drawn.entities[entity]
    options = _body(data, entity).setdefault("list", {})
    choice = draw(st.integers(0, 6))
    non_text = [
        f.name for f in model.fields.values() if f.type not in ("str", "text", "email", "url")
    ]
    jsons = [f.name for f in model.fields.values() if f.type == "json"]
    if choice == 0:
        options["filter"] = [*options.get("filter", []), "nonexistent"]
    elif choice == 1:
        options["sort"] = [*options.get("sort", []), "-nonexistent"]
    elif choice == 2 and non_text:
        options["search"] = [draw(st.sampled_from(non_text))]
    elif choice == 3 and jsons:
        options["sort"] = [draw(st.sampled_from(jsons))]
    elif choice == 4:
        options["page_size"] = draw(
            st.sampled_from(
                [{"max": 5000}, {"default": 0}, {"max": "ten"}, {"max": 10, "default": 20}]
            )
        )
    elif choice == 5 and model.many_to_one():
        relation = draw(st.sampled_from(model.many_to_one()))
        options["filter"] = [f"{relation.name}.no_such_field"]
    else:
        options["filter"] = ["ghost.name"]
    return ("entities", entity, "list")


# --------------------------------------------------------------------------- rules


@injector("bad check")
def _bad_check(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    field = sorted(drawn.entities[entity].fields)[0]
    checks = _body(data, entity).setdefault("checks", [])
    check = draw(
        st.sampled_from(
            [
                {"rule": "nosuch > 1", "message": "x"},
                {"rule": f"{field} = 3", "message": "x"},
                {"rule": "(1 < 2", "message": "x"},
                {"rule": "1 + 2", "message": "x"},
                {"rule": f"{field} == null", "message": "x"},
                {"rule": "1 < 2"},
                {"rule": "1 < 2", "message": ""},
                {"rule": "1 < 2", "message": "x", "level": "warn"},
                {"rule": 'date("31/05/2024") > date("2024-01-01")', "message": "x"},
            ]
        )
    )
    checks.append(check)
    return ("entities", entity, "checks", len(checks) - 1)


@injector("bad transition")
def _bad_transition(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    model = drawn.entities[entity]
    body = _body(data, entity)
    name = _free(model, "phase")
    body["fields"][name] = {"enum": ["new", "old"], "default": "new"}
    moves = draw(
        st.sampled_from(
            [{"new": ["ancient"]}, {"new": "new"}, {"new": ["old", "old"]}, {"neww": "old"}]
        )
    )
    plain = next((f.name for f in model.fields.values() if f.type != "enum"), None)
    transitions: dict[str, Any] = {}
    if plain is not None and draw(st.booleans()):
        transitions[plain] = {"a": "b"}
        path_key = plain
    elif draw(st.booleans()):
        transitions["ghost"] = {"a": "b"}
        path_key = "ghost"
    else:
        transitions[name] = moves
        path_key = name
    body["transitions"] = transitions
    return ("entities", entity, "transitions", path_key)


@injector("bad action")
def _bad_action(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    model = drawn.entities[entity]
    field = sorted(model.fields)[0]
    actions = _body(data, entity).setdefault("actions", {})
    name, action = draw(
        st.sampled_from(
            [
                ("delete", {"set": {field: None}}),
                ("Close", {"set": {field: None}}),
                ("poke", {"set": {"nosuch": 1}}),
                ("poke", {"set": {}}),
                ("poke", {"when": "1 < 2"}),
                ("poke", {"set": {field: None}, "message": "no guard"}),
                ("poke", {"set": {field: None}, "when": "nosuch > 1"}),
                ("poke", {"set": {field: None}, "access": "role:ghost"}),
                ("poke", {"set": {field: None}, "colour": "red"}),
            ]
        )
    )
    if name in actions:
        name = "poke_again"
    # A null `set` is refused on required fields only: name an optional one or add one.
    if action.get("set") == {field: None}:
        extra = _free(model, "extra")
        _body(data, entity)["fields"][extra] = "str?"
        action = {**action, "set": {extra: None}}
    actions[name] = action
    return ("entities", entity, "actions", name)


@injector("bad computed")
def _bad_computed(draw: Any, data: dict[str, Any], drawn: Drawn) -> Path:
    entity = _entity(draw, drawn)
    name = _free(drawn.entities[entity], "ghost_count")
    value = draw(
        st.sampled_from(
            [
                {"count": "Ghost"},
                {"sum": "Ghost.total"},
                {"count": "lower"},
                {},
                {"count": entity, "sum": f"{entity}.x"},
            ]
        )
    )
    _body(data, entity).setdefault("computed", {})[name] = value
    return ("entities", entity, "computed", name)


# --------------------------------------------------------------------------- strategy


@st.composite
def invalid_documents(draw: Any, /, kind: str | None = None, **options: Any) -> Mistake:
    """A drawn valid document with exactly one mistake: of `kind`, or any in `INJECTORS`."""
    drawn: Drawn = draw(feature_documents(**options))
    if kind is None:
        kind = draw(st.sampled_from(sorted(INJECTORS)))
    data = copy.deepcopy(drawn.data)
    path = INJECTORS[kind](draw, data, drawn)
    assert path is not None
    return Mistake(data=data, kind=kind, path=path)
