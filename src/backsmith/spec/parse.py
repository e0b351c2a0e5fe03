"""Turn a composed feature document into the validated IR, one check per kind of mistake.

Every check raises a one-line `SpecError` that points at the offending node and, where it
can, says what to write instead. Fields are read in two steps: the short form, the long
form and the `{enum: [...]}` shorthand are first turned into the same set of attributes,
each with its own location, and one builder then checks and converts them, so both forms
get exactly the same rules.
"""

from __future__ import annotations

import keyword
import math
import re
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_DOWN, Decimal, InvalidOperation, localcontext
from typing import Any, NoReturn
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from backsmith.errors import Location, SpecError
from backsmith.spec.actions import parse_actions
from backsmith.spec.checks import parse_checks
from backsmith.spec.computed import parse_computed, resolve_computed
from backsmith.spec.load import (
    STR_TAG,
    Document,
    Entry,
    Source,
    build_value,
    check_keys,
    choices_hint,
    compose,
    describe,
    entries,
    inside,
    is_null,
    items_of,
    quote_hint,
    show,
    suggest,
    text_of,
)
from backsmith.spec.model import (
    NUMERIC_TYPES,
    STRING_TYPES,
    Action,
    Entity,
    FeatureSpec,
    Field,
    FieldType,
    Grant,
    GrantKind,
    ListOptions,
    OnDelete,
    PageSize,
    ProseRule,
    Relation,
    RelationFilter,
    RelationKind,
    SortKey,
    enum_member_name,
    pluralize,
    snake,
)
from backsmith.spec.transitions import parse_transitions

TOP_KEYS = ("feature", "title", "description", "roles", "entities", "rules")
ENTITY_KEYS = (
    "fields",
    "relations",
    "computed",
    "owned",
    "tenant",
    "versioned",
    "soft_delete",
    "transitions",
    "checks",
    "actions",
    "unique",
    "access",
    "list",
    "plural",
    "description",
    "rules",
)
RULE_KEYS = ("prose",)
FIELD_KEYS = (
    "type", "required", "default", "unique", "index", "min", "max", "min_length",
    "max_length", "pattern", "values", "precision", "scale", "description", "example",
    "read_only", "write_only", "immutable", "enum", "access",
)  # fmt: skip
FIELD_ACCESS_KEYS = ("read", "write")
RELATION_KEYS = ("to", "kind", "required", "on_delete", "inverse", "embed")
LIST_KEYS = ("filter", "sort", "search", "page_size")
PAGE_SIZE_KEYS = ("default", "max")
SHORT_FLAGS = ("unique", "index")

RESERVED_FEATURES = frozenset(
    {"app", "core", "auth", "main", "cli", "models", "tests", "migrations", "test"}
)
RESERVED_ENTITIES = {
    "User": "backsmith's auth module defines it",
    "Base": "it is the SQLAlchemy declarative base",
    "Page": "it is the generic page type of list responses",
}
RESERVED_NAMES = {
    "id": "every entity already has it",
    "created_at": "every entity already has it",
    "updated_at": "every entity already has it",
    "owner": "use `owned: true` to give rows an owner",
    "owner_id": "use `owned: true` to give rows an owner",
    "q": "it is the search parameter of list requests",
    "limit": "it is a pagination parameter of list requests",
    "cursor": "it is a pagination parameter of list requests",
    "sort": "it is the sort parameter of list requests",
    "metadata": "SQLAlchemy models use this attribute",
    "registry": "SQLAlchemy models use this attribute",
}
BUILTIN_SORT_KEYS = ("id", "created_at", "updated_at")
VERSION_COLUMN = "version"  # added by `versioned: true`
DELETED_COLUMN = "deleted_at"  # added by `soft_delete: true`
TENANT_COLUMN = "tenant"  # added by `tenant: true`
RESTORE_ACTION = "restore"  # the access action of soft-deleted rows' restore
OTHER_RELATION_KINDS = ("one_to_many",)
# Keys of a many_to_one that mean nothing for a set of links (see `_many_to_many`).
MANY_TO_ONE_ONLY = {
    "required": "a many_to_many is a set of links, empty unless a client sends ids",
    "on_delete": "deleting a row on either side removes its links, and only them",
    "inverse": "a many_to_many has no inverse collection yet",
    "embed": "responses carry the linked ids only; read each linked row from its own path",
}

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
DEFAULT_PRECISION, DEFAULT_SCALE, MAX_PRECISION = 12, 2, 38
MAX_PAGE_SIZE = 1000
MAX_JSON_VALUES = 10_000
ENUM_TYPE = FieldType.ENUM

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_PASCAL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHORT_FIELD = re.compile(
    r"^\s*(?P<type>\w+)\s*(?:\((?P<args>[^()]*)\)\s*)?(?P<optional>\?)?(?P<flags>[^=]*)$"
)
_SHORT_RELATION = re.compile(r"^\s*(?P<target>\w+)\s*(?P<optional>\?)?\s*$")
_NUMBER = r"[-+]?\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*(?P<lo>{_NUMBER})?\s*\.\.\s*(?P<hi>{_NUMBER})?\s*$")
_SINGLE = re.compile(rf"^\s*(?P<value>{_NUMBER})\s*$")
_PRECISION = re.compile(r"^\s*(?P<precision>\d+)\s*,\s*(?P<scale>\d+)\s*$")

SHORT_FORM_HINT = (
    "the short form is TYPE[(ARGS)][?] [unique] [index] [= DEFAULT], e.g. int(1..5)? = 3"
)


def parse_document(document: Document) -> FeatureSpec:
    """Check a composed document and build its `FeatureSpec`."""
    return _DocumentParser(document).parse()


# --------------------------------------------------------------------------- helpers


def _by_key(found: Sequence[Entry]) -> dict[str, Entry]:
    return {entry.key: entry for entry in found}


def _require(source: Source, node: Node, found: Mapping[str, Entry], key: str, what: str) -> Entry:
    if key not in found:
        source.fail(node, f"{what} has no `{key}`", f"add `{key}:`")
    return found[key]


def _bool_of(source: Source, node: Node, what: str) -> bool:
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
        return bool(build_value(source, node))
    source.fail(node, f"{what} must be true or false, not {describe(node)}")


def _optional_text(source: Source, entry: Entry | None, what: str) -> str | None:
    return None if entry is None else text_of(source, entry.value, what)


def _check_snake(source: Source, node: Node, name: str, what: str) -> None:
    if not _SNAKE.match(name) or "__" in name or name.endswith("_"):
        fixed = re.sub(r"_+", "_", snake(re.sub(r"[^0-9A-Za-z_]", "_", name))).strip("_")
        hint = f"for example `{fixed}`" if fixed and _SNAKE.match(fixed) else None
        source.fail(
            node,
            f"{what} `{show(name)}` must be snake_case "
            "(lowercase letters, digits and single underscores, starting with a letter)",
            hint,
        )
    if keyword.iskeyword(name):
        source.fail(node, f"{what} `{name}` is a Python keyword", "choose another name")


def _check_member_name(source: Source, node: Node, name: str, what: str) -> None:
    """Field and relation names become columns, attributes and query parameters."""
    _check_snake(source, node, name, what)
    reason = RESERVED_NAMES.get(name)
    if reason is None and name.startswith("model_"):
        reason = "Pydantic reserves the `model_` prefix"
    if reason is not None:
        source.fail(node, f"{what} `{name}` is reserved: {reason}", "choose another name")


# --------------------------------------------------------------------------- rules


def parse_rules(source: Source, entry: Entry | None, entity: str | None) -> tuple[ProseRule, ...]:
    """`rules:` — a list of `{prose: TEXT}` items (business rules written for people)."""
    if entry is None or is_null(entry.value):
        return ()
    if not isinstance(entry.value, SequenceNode):
        source.fail(entry.value, "`rules` must be a list", "write `- prose: A rule in words`")
    rules: list[ProseRule] = []
    for item in entry.value.value:
        found = entries(source, item, "a rule")
        check_keys(source, found, RULE_KEYS, "a rule")
        body = _by_key(found)
        prose = _require(source, item, body, "prose", "a rule")
        text = text_of(source, prose.value, "`prose`").strip()
        if not text:
            source.fail(prose.value, "the rule is empty", "say the rule in a sentence")
        rules.append(ProseRule(text=text, entity=entity, location=source.of(prose.value)))
    return tuple(rules)


# --------------------------------------------------------------------------- document


class _DocumentParser:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.source = document.source
        self.roles: tuple[str, ...] = ("admin",)
        self.entity_names: tuple[str, ...] = ()

    def parse(self) -> FeatureSpec:
        root = self.document.root
        found = entries(self.source, root, "the document")
        check_keys(self.source, found, TOP_KEYS, "the document")
        top = _by_key(found)
        feature = self._feature(_require(self.source, root, top, "feature", "the document"))
        title = _optional_text(self.source, top.get("title"), "`title`")
        description = _optional_text(self.source, top.get("description"), "`description`")
        self.roles = self._roles(top.get("roles"))
        entities_entry = _require(self.source, root, top, "entities", "the document")
        entities = self._entities(entities_entry)
        rules = parse_rules(self.source, top.get("rules"), None)
        rules += tuple(
            ProseRule(text=text, location=Location(self.document.path, line, 1))
            for line, text in self.document.business_rules
        )
        return FeatureSpec(
            feature=feature,
            title=title,
            description=description,
            roles=self.roles,
            entities=entities,
            rules=rules,
            source=self.document.path,
        )

    def _feature(self, entry: Entry) -> str:
        name = text_of(self.source, entry.value, "`feature`")
        _check_snake(self.source, entry.value, name, "the feature name")
        if name in RESERVED_FEATURES:
            self.source.fail(
                entry.value,
                f"the feature name `{name}` is reserved: the generated project uses it",
                f"choose another name; reserved are {', '.join(sorted(RESERVED_FEATURES))}",
            )
        return name

    def _roles(self, entry: Entry | None) -> tuple[str, ...]:
        if entry is None or is_null(entry.value):
            return ("admin",)
        roles: list[str] = []
        for node in items_of(self.source, entry.value, "`roles`"):
            role = text_of(self.source, node, "a role")
            _check_snake(self.source, node, role, "the role")
            if role in roles:
                self.source.fail(node, f"the role `{role}` is listed twice", "remove one")
            roles.append(role)
        # "admin" always exists: the generated CLI can make admins, and defaults grant it.
        return tuple(roles) if "admin" in roles else ("admin", *roles)

    def _entities(self, entry: Entry) -> tuple[Entity, ...]:
        found = entries(self.source, entry.value, "`entities`")
        if not found:
            self.source.fail(entry.value, "the document declares no entities", "add one")
        for item in found:
            self._check_entity_name(item)
        self.entity_names = tuple(item.key for item in found)
        entities = tuple(_EntityParser(self, item).parse() for item in found)
        self._check_distinct_names(entities, found)
        _check_required_cycles(entities)
        _check_soft_deleted_targets(entities)
        _check_inverses(entities)
        _check_relation_filters(entities)
        _check_many_to_many(entities)
        _check_embeds(entities)
        entities = resolve_computed(entities)
        _check_tenants(entities)
        return entities

    def _check_entity_name(self, entry: Entry) -> None:
        name = entry.key
        if not _PASCAL.match(name):
            parts = re.split(r"[^0-9A-Za-z]+", name)
            fixed = "".join(part[:1].upper() + part[1:] for part in parts)
            self.source.fail(
                entry.key_node,
                f"entity name `{show(name)}` must be PascalCase",
                f"for example `{fixed}`" if _PASCAL.match(fixed) else None,
            )
        if name in RESERVED_ENTITIES or keyword.iskeyword(name):
            reason = RESERVED_ENTITIES.get(name, "it is a Python keyword")
            self.source.fail(
                entry.key_node, f"entity name `{name}` is reserved: {reason}", "choose another"
            )

    def _check_distinct_names(self, entities: Sequence[Entity], found: Sequence[Entry]) -> None:
        """Distinct entity names can still meet as modules, tables or resource paths."""
        snakes: dict[str, str] = {}
        plurals: dict[str, str] = {}
        for entity, entry in zip(entities, found, strict=True):
            key = snake(entity.name)
            if key in snakes:
                self.source.fail(
                    entry.key_node,
                    f"entities `{snakes[key]}` and `{entity.name}` both become `{key}` in code",
                    "rename one",
                )
            snakes[key] = entity.name
            plural = entity.plural or pluralize(key)
            if plural in plurals:
                self.source.fail(
                    entry.key_node,
                    f"entities `{plurals[plural]}` and `{entity.name}` share the plural "
                    f"`{plural}` (their tables and resource paths would collide)",
                    "set `plural:` on one of them",
                )
            plurals[plural] = entity.name


def _check_tenants(entities: Sequence[Entity]) -> None:
    """Nothing outside a tenant may reach into it: no link to a tenant's rows from rows
    every tenant shares, and no count or sum of a tenant's rows on them."""
    by_name = {e.name: e for e in entities}
    for entity in entities:
        if entity.tenant:
            continue
        for relation in (*entity.relations, *entity.many_to_many):
            if by_name[relation.target].tenant:
                raise SpecError(
                    f"{entity.name} is shared by every tenant, so its relation "
                    f"`{relation.name}` cannot point at {relation.target}, whose rows belong "
                    "to one tenant",
                    relation.location,
                    hint=f"add `tenant: true` to {entity.name}, or turn the relation around",
                )
        for computed in entity.computed:
            if by_name[computed.source].tenant:
                raise SpecError(
                    f"{entity.name} is shared by every tenant, so its computed field "
                    f"`{computed.name}` cannot count the rows of {computed.source}, which "
                    "belong to one tenant each",
                    computed.location,
                    hint=f"add `tenant: true` to {entity.name}",
                )


def _check_soft_deleted_targets(entities: Sequence[Entity]) -> None:
    """A soft-deleted row stays in its table: nothing cascades to or empties its children.

    So a relation to a soft_delete entity keeps `restrict`: deleting the parent is a 409
    while it has children, which is also what makes restoring it safe.
    """
    soft = {e.name for e in entities if e.soft_delete}
    for entity in entities:
        for relation in entity.relations:
            if relation.target in soft and relation.on_delete is not OnDelete.RESTRICT:
                raise SpecError(
                    f"relation `{relation.name}` of {entity.name} has on_delete: "
                    f"{relation.on_delete.value}, but {relation.target} is soft-deleted: "
                    "its rows never leave the table, so nothing would cascade or be emptied",
                    relation.location,
                    hint="use on_delete: restrict (the default): deleting a "
                    f"{relation.target} that still has {entity.name} rows is then a 409",
                )


def _check_relation_filters(entities: Sequence[Entity]) -> None:
    """`doctor.name` needs a field of the parent that a filter may name."""
    by_name = {e.name: e for e in entities}
    for entity in entities:
        for across in entity.list.across:
            relation = entity.relation(across.relation)
            assert relation is not None  # noqa: S101 - the entity parser checked it
            target = by_name[relation.target]
            field = target.field(across.field)
            usable = [f.name for f in target.fields if f.publicly_listable]
            problem = None
            if field is None:
                problem = f"which is not a field of {target.name}"
            elif not field.publicly_listable:
                problem = "which cannot be filtered (json, write_only or with a read rule)"
            if problem is not None:
                raise SpecError(
                    f"`list.filter` of {entity.name} names `{across.relation}.{across.field}`, "
                    + problem,
                    across.location,
                    hint=choices_hint(across.field, usable, f"fields of {target.name}"),
                )


def _check_many_to_many(entities: Sequence[Entity]) -> None:
    """A many_to_many's association table is named `<entity>_<plural of relation>`: no
    entity's table and no other association table may have that name. Its target is not
    soft-deleted: a deleted row would keep its links, and reads would have to hide them."""
    taken = {e.plural or pluralize(snake(e.name)): f"the table of {e.name}" for e in entities}
    soft = {e.name for e in entities if e.soft_delete}
    for entity in entities:
        for relation in entity.many_to_many:
            if relation.target in soft:
                raise SpecError(
                    f"many_to_many `{relation.name}` of {entity.name} links to "
                    f"{relation.target}, which is soft-deleted: that is not supported yet",
                    relation.location,
                    hint=f"remove soft_delete from {relation.target}, or link with a many_to_one",
                )
            table = entity.link_table(relation)
            if table in taken:
                raise SpecError(
                    f"many_to_many `{relation.name}` of {entity.name} needs the table "
                    f"`{table}`, which is already {taken[table]}",
                    relation.location,
                    hint="rename the relation",
                )
            taken[table] = f"the association table of {entity.name}.{relation.name}"


def _check_embeds(entities: Sequence[Entity]) -> None:
    """`embed` names fields of the target that a response may show: declared, readable.

    Checked here because the target may be declared after the entity that embeds it.
    """
    by_name = {e.name: e for e in entities}
    taken = _class_names(entities)
    for entity in entities:
        for relation in entity.relations:
            if relation.embed:
                summary = f"{entity.name}{_pascal(relation.name)}Summary"
                if summary in taken:
                    raise SpecError(
                        f"the summary `embed` makes for {entity.name}.{relation.name} is the "
                        f"class `{summary}`, which is already {taken[summary]}",
                        relation.embed_locations[0],
                        hint="rename the relation",
                    )
                taken[summary] = f"the summary of {entity.name}.{relation.name}"
            target = by_name[relation.target]
            readable = [f.name for f in target.fields if f.readable and not f.guarded]
            for name, location in zip(relation.embed, relation.embed_locations, strict=True):
                field = target.field(name)
                if field is None:
                    raise SpecError(
                        f"`embed` of {entity.name}.{relation.name} names `{show(name)}`, "
                        f"which is not a field of {target.name}",
                        location,
                        hint=choices_hint(name, readable, f"fields of {target.name}"),
                    )
                if not field.readable:
                    raise SpecError(
                        f"`embed` of {entity.name}.{relation.name} names `{name}`, which is "
                        f"write_only in {target.name}: no response may show it",
                        location,
                        hint=f"remove `{name}` from `embed`",
                    )
                if field.guarded:
                    # The summary has no field-level rules of its own: it would show the
                    # field to every caller who may read the parent.
                    raise SpecError(
                        f"`embed` of {entity.name}.{relation.name} names `{name}`, which only "
                        f"some callers may see (its `access.read` in {target.name})",
                        location,
                        hint=f"remove `{name}` from `embed`; read it from the {target.name}",
                    )


def _pascal(name: str) -> str:
    """`reply_to` -> `ReplyTo`, as generated class names spell a snake_case name."""
    return "".join(part.capitalize() for part in name.split("_") if part)


def _class_names(entities: Sequence[Entity]) -> dict[str, str]:
    """The classes a feature's schemas module defines besides summaries: entities and
    their enums (`TicketStatus`), which a summary's name (`CommentTicketSummary`) may meet."""
    taken = {e.name: f"the entity {e.name}" for e in entities}
    for entity in entities:
        for f in entity.fields:
            if f.type is FieldType.ENUM:
                taken[f"{entity.name}{_pascal(f.name)}"] = f"the enum of {entity.name}.{f.name}"
    return taken


def _check_inverses(entities: Sequence[Entity]) -> None:
    """An inverse becomes the path `/targets/{id}/INVERSE`: one meaning per target."""
    taken: dict[tuple[str, str], str] = {}
    by_name = {e.name: e for e in entities}
    for entity in entities:
        for relation in entity.relations:
            if relation.inverse is None:
                continue
            key = (relation.target, relation.inverse)
            target = by_name[relation.target]
            clash = taken.get(key)
            if clash is None and relation.inverse in {a.name for a in target.actions}:
                clash = f"the action `{relation.inverse}` of {target.name}"
            if clash is None and relation.inverse == "restore" and target.soft_delete:
                clash = f"the restore endpoint of {target.name}"
            if clash is not None:
                raise SpecError(
                    f"inverse `{relation.inverse}` of {entity.name}.{relation.name} clashes "
                    f"with {clash}: both would be /{{id}}/{relation.inverse} of {target.name}",
                    relation.location,
                    hint="choose another inverse name",
                )
            taken[key] = f"the inverse of {entity.name}.{relation.name}"


def _check_required_cycles(entities: Sequence[Entity]) -> None:
    """Required relations in a cycle make it impossible to create the first row of any."""
    edges = {e.name: [r for r in e.relations if r.required] for e in entities}
    done: set[str] = set()

    def visit(name: str, path: list[tuple[str, Relation]]) -> None:
        for relation in edges[name]:
            names = [entity for entity, _ in path] + [name]
            if relation.target in names:
                start = names.index(relation.target)
                steps = [*path[start:], (name, relation)]
                chain = " -> ".join(f"{entity}.{rel.name}" for entity, rel in steps)
                raise SpecError(
                    f"required relations form a cycle ({chain} -> {relation.target}): "
                    "no first row could ever be created",
                    relation.location,
                    hint=f"make one of them optional, e.g. `{relation.name}: {relation.target}?`",
                )
            if relation.target not in done:
                visit(relation.target, [*path, (name, relation)])
        done.add(name)

    for entity in entities:
        if entity.name not in done:
            visit(entity.name, [])


# --------------------------------------------------------------------------- entity


class _EntityParser:
    def __init__(self, document: _DocumentParser, entry: Entry) -> None:
        self.document = document
        self.source = document.source
        self.name = entry.key
        self.entry = entry
        self.what = f"entity `{entry.key}`"
        self.owned = False
        self.soft_delete = False
        self.tenant = False
        self.restore: tuple[Grant, ...] = ()
        self.fields: dict[str, Field] = {}
        self.builders: dict[str, _FieldBuilder] = {}
        self.relations: dict[str, Relation] = {}
        self.many_to_many: dict[str, Relation] = {}

    def parse(self) -> Entity:
        node = self.entry.value
        if is_null(node):
            self.source.fail(node, f"{self.what} is empty", "give it `fields:`")
        found = entries(self.source, node, self.what)
        check_keys(self.source, found, ENTITY_KEYS, self.what)
        body = _by_key(found)
        if "owned" in body:
            self.owned = _bool_of(self.source, body["owned"].value, "`owned`")
        versioned = self._option(body, "versioned")
        self.soft_delete = self._option(body, "soft_delete")
        self.tenant = self._option(body, "tenant")
        self._fields(_require(self.source, node, body, "fields", self.what))
        if "relations" in body:
            self._relations(body["relations"])
        if versioned:
            self._check_free(VERSION_COLUMN, body["versioned"], "versioned: true")
        if self.soft_delete:
            self._check_free(DELETED_COLUMN, body["soft_delete"], "soft_delete: true")
        if self.tenant:
            self._check_free(TENANT_COLUMN, body["tenant"], "tenant: true")
        access = self._access(body.get("access"))
        return Entity(
            name=self.name,
            fields=tuple(self.fields.values()),
            relations=tuple(self.relations.values()),
            many_to_many=tuple(self.many_to_many.values()),
            owned=self.owned,
            versioned=versioned,
            soft_delete=self.soft_delete,
            tenant=self.tenant,
            checks=parse_checks(self.source, body.get("checks"), self.fields),
            computed=parse_computed(self.source, body.get("computed"), self._check_computed_name),
            actions=parse_actions(
                self.source,
                body.get("actions"),
                self.fields,
                self._value_of,
                self._action_grants,
                access[Action.UPDATE],
            ),
            transitions=parse_transitions(
                self.source, body.get("transitions"), self.fields, self.name
            ),
            restore=self.restore or (access[Action.DELETE] if self.soft_delete else ()),
            unique=self._with_one_to_one(self._unique(body.get("unique"))),
            access=access,
            list=self._list(body.get("list")),
            plural=self._plural(body.get("plural")),
            description=_optional_text(self.source, body.get("description"), "`description`"),
            rules=parse_rules(self.source, body.get("rules"), self.name),
            location=self.source.of(self.entry.key_node),
        )

    # ---- fields and relations

    def _check_computed_name(self, node: Node, name: str) -> None:
        """A computed field is read like a column: its name must be free for one."""
        _check_member_name(self.source, node, name, "computed field name")
        taken = set(self.fields) | {n for r in self.relations.values() for n in (r.name, r.column)}
        taken |= {n for r in self.many_to_many.values() for n in (r.name, r.ids, r.collection)}
        if name in taken:
            self.source.fail(
                node,
                f"computed field `{name}` clashes with a field or relation of {self.name}",
                "rename it",
            )

    def _option(self, body: Mapping[str, Entry], key: str) -> bool:
        """An entity option that is true or false (false when absent)."""
        return key in body and _bool_of(self.source, body[key].value, f"`{key}`")

    def _check_free(self, column: str, option: Entry, what: str) -> None:
        """An option that adds a column needs its name: no field or relation may have it."""
        taken = self.fields.get(column)
        if taken is not None:
            raise SpecError(
                f"the field `{column}` of {self.name} clashes with `{what}`, "
                f"which adds a `{column}` column",
                taken.location or self.source.of(option.key_node),
                hint=f"rename the field `{column}`",
            )
        for relation in self.relations.values():
            if column in (relation.name, relation.column):
                raise SpecError(
                    f"the relation `{relation.name}` of {self.name} clashes with `{what}`, "
                    f"which adds a `{column}` column",
                    relation.location or self.source.of(option.key_node),
                    hint=f"rename the relation `{relation.name}`",
                )

    def _fields(self, entry: Entry) -> None:
        found = entries(self.source, entry.value, f"the fields of {self.what}")
        if not found:
            self.source.fail(entry.value, f"{self.what} has no fields", "add at least one")
        for item in found:
            _check_member_name(self.source, item.key_node, item.key, "field name")
            builder = _FieldBuilder(self.source, item, self.document.entity_names)
            field = builder.build()
            if "access" in builder.attrs:
                field = self._field_access(field, builder.attrs["access"])
            self.fields[item.key] = field
            self.builders[item.key] = builder

    def _field_access(self, field: Field, attr: _Attr) -> Field:
        """`access: {read: GRANTS, write: GRANTS}` of one field."""
        assert attr.node is not None  # noqa: S101 - `_read_long` keeps the node of `access`
        what = f"`access` of field `{field.name}`"
        found = entries(self.source, attr.node, what)
        check_keys(self.source, found, FIELD_ACCESS_KEYS, what)
        if not found:
            self.source.fail(attr.node, f"{what} is empty", "give it `read:`, `write:` or both")
        body = _by_key(found)
        read: tuple[Grant, ...] = ()
        write: tuple[Grant, ...] = ()
        if "read" in body:
            if field.write_only:
                self.source.fail(
                    body["read"].key_node,
                    f"`{field.name}` is write_only: no one sees it, so `read` says nothing",
                    "remove write_only, or remove `read`",
                )
            read = self._grants(Action.READ, body["read"].value, f"read of {field.name}")
        if "write" in body:
            write = self._field_write_grants(field, body["write"])
        return field.model_copy(update={"read_access": read, "write_access": write})

    def _field_write_grants(self, field: Field, entry: Entry) -> tuple[Grant, ...]:
        if field.read_only:
            self.source.fail(
                entry.key_node,
                f"`{field.name}` is read_only: no client sets it, so `write` says nothing",
                "remove read_only, or remove `write`",
            )
        if field.required_on_create:
            self.source.fail(
                entry.key_node,
                f"`{field.name}` is required, so a caller who may not set it could never "
                "create a row",
                "give it a default, or make it optional with `required: false`",
            )
        # Setting a field changes a row, as an update does; on create, the caller is
        # about to own the row, so an `owner` grant lets them set it.
        return self._grants(Action.UPDATE, entry.value, f"write of {field.name}")

    def _relations(self, entry: Entry) -> None:
        if is_null(entry.value):
            return
        for item in entries(self.source, entry.value, f"the relations of {self.what}"):
            _check_member_name(self.source, item.key_node, item.key, "relation name")
            if item.key in self.fields:
                self.source.fail(
                    item.key_node,
                    f"`{item.key}` is both a field and a relation of {self.name}",
                    "rename one",
                )
            relation = self._relation(item)
            if relation.kind is RelationKind.MANY_TO_MANY:
                self._check_link_names(item, relation)
                self.many_to_many[item.key] = relation
                continue
            self._check_columns(item, relation)
            self.relations[item.key] = relation

    def _check_link_names(self, item: Entry, relation: Relation) -> None:
        """`tag` is served as `tag_ids` and held in the attribute `tags`: names no field,
        other relation or its column may have; the association table's columns are the
        entity's and the relation's (`ticket_id`, `tag_id`), which must differ."""
        own = {relation.ids: "its field", relation.collection: "its attribute"}
        others: dict[str, str] = {name: f"the field `{name}`" for name in self.fields}
        for other in (*self.relations.values(), *self.many_to_many.values()):
            others[other.name] = f"the relation `{other.name}`"
            if other.kind is RelationKind.MANY_TO_MANY:
                others[other.ids] = f"the field `{other.ids}` of the relation `{other.name}`"
                others[other.collection] = f"the attribute `{other.collection}` of `{other.name}`"
            else:
                others[other.column] = f"the column `{other.column}` of `{other.name}`"
        for name, what in own.items():
            clash = others.get(name)
            if clash is None and relation.ids != name and keyword.iskeyword(name):
                clash = "a Python keyword"
            if clash is not None:
                self.source.fail(
                    item.key_node,
                    f"many_to_many `{relation.name}` needs `{name}` for {what}, "
                    f"which is already {clash} of {self.name}",
                    "rename one",
                )
        if relation.name == snake(self.name):
            self.source.fail(
                item.key_node,
                f"many_to_many `{relation.name}` of {self.name} would store both ends of a "
                f"link as `{relation.name}_id`",
                "name the relation after what it links, e.g. `related`",
            )

    def _check_columns(self, item: Entry, relation: Relation) -> None:
        """`doctor` needs the column `doctor_id`: no other field or relation may have it."""
        for other in self.relations.values():
            if relation.name == other.column or relation.column == other.name:
                self.source.fail(
                    item.key_node,
                    f"relations `{other.name}` and `{relation.name}` clash: "
                    f"`{other.name}` is stored as `{other.column}`",
                    "rename one",
                )
        for link in self.many_to_many.values():
            if {relation.name, relation.column} & {link.ids, link.collection}:
                self.source.fail(
                    item.key_node,
                    f"relation `{relation.name}` clashes with the many_to_many `{link.name}`, "
                    f"served as `{link.ids}` and held in `{link.collection}`",
                    "rename one",
                )
        if relation.column in self.fields:
            self.source.fail(
                item.key_node,
                f"relation `{item.key}` needs the column `{relation.column}`, "
                f"which is already a field of {self.name}",
                "rename the field or the relation",
            )

    def _relation(self, entry: Entry) -> Relation:
        node = entry.value
        if isinstance(node, ScalarNode) and node.tag == STR_TAG:
            match = _SHORT_RELATION.match(node.value)
            if match is None:
                self.source.fail(
                    node,
                    f"cannot read the relation `{show(node.value)}`",
                    "write `doctor: Doctor`, `doctor: Doctor?` or the long form {to: Doctor}",
                )
            target = self._target(node, match["target"])
            return Relation(
                name=entry.key,
                target=target,
                required=not match["optional"],
                location=self.source.of(entry.key_node),
            )
        if not isinstance(node, MappingNode):
            self.source.fail(
                node,
                f"relation `{entry.key}` must be an entity name or a mapping, not {describe(node)}",
                "write `doctor: Doctor` or {to: Doctor, required: false}",
            )
        return self._long_relation(entry)

    def _long_relation(self, entry: Entry) -> Relation:
        what = f"relation `{entry.key}`"
        found = entries(self.source, entry.value, what)
        check_keys(self.source, found, RELATION_KEYS, what)
        body = _by_key(found)
        to = _require(self.source, entry.value, body, "to", what).value
        target = self._target(to, text_of(self.source, to, "`to`"))
        kind = RelationKind.MANY_TO_ONE
        if "kind" in body:
            kind = self._kind(body["kind"].value)
        if kind is RelationKind.MANY_TO_MANY:
            return self._many_to_many(entry, body, target)
        required = True
        if "required" in body:
            required = _bool_of(self.source, body["required"].value, "`required`")
        on_delete = OnDelete.RESTRICT
        if "on_delete" in body:
            on_delete = self._on_delete(body["on_delete"].value, required)
        inverse = None
        if "inverse" in body:
            node = body["inverse"].value
            inverse = text_of(self.source, node, "`inverse`")
            _check_snake(self.source, node, inverse, "inverse name")
        embed: list[tuple[Node, str]] = []
        if "embed" in body:
            embed = self._embed(entry.key, body["embed"])
        return Relation(
            name=entry.key,
            target=target,
            kind=kind,
            required=required,
            on_delete=on_delete,
            inverse=inverse,
            embed=tuple(name for _, name in embed),
            embed_locations=tuple(self.source.of(node) for node, _ in embed),
            location=self.source.of(entry.key_node),
        )

    def _embed(self, relation: str, entry: Entry) -> list[tuple[Node, str]]:
        """The names listed by `embed`: at least one, each once (the target's fields are
        checked once every entity is read)."""
        what = f"`embed` of the relation `{relation}`"
        nodes = items_of(self.source, entry.value, what)
        if not nodes:
            self.source.fail(
                entry.value,
                f"{what} is empty",
                "list the target's fields to show, e.g. embed: [name], or remove `embed`",
            )
        found: list[tuple[Node, str]] = []
        for node in nodes:
            name = text_of(self.source, node, what)
            if any(name == seen for _, seen in found):
                self.source.fail(node, f"`{name}` is listed twice in {what}", "list it once")
            found.append((node, name))
        return found

    def _many_to_many(self, entry: Entry, body: Mapping[str, Entry], target: str) -> Relation:
        for key, reason in MANY_TO_ONE_ONLY.items():
            if key in body:
                self.source.fail(
                    body[key].key_node,
                    f"`{key}` does not apply to the many_to_many `{entry.key}`: {reason}",
                    f"remove `{key}`",
                )
        return Relation(
            name=entry.key,
            target=target,
            kind=RelationKind.MANY_TO_MANY,
            required=False,
            location=self.source.of(entry.key_node),
        )

    def _target(self, node: Node, target: str) -> str:
        if target in self.document.entity_names:
            return target
        hint = suggest(target, self.document.entity_names)
        if target == "User":
            hint = "relations to users are not supported yet; `owned: true` links rows to a user"
        self.source.fail(
            node,
            f"relation target `{show(target)}` is not an entity of this document",
            hint or f"entities: {', '.join(self.document.entity_names)}",
        )

    def _kind(self, node: Node) -> RelationKind:
        kind = text_of(self.source, node, "`kind`")
        if kind in {k.value for k in RelationKind}:
            return RelationKind(kind)
        if kind in OTHER_RELATION_KINDS:
            self.source.fail(
                node,
                f"relation kind `{kind}` is not supported yet",
                "declare a many_to_one relation on the other entity instead",
            )
        self.source.fail(
            node,
            f"unknown relation kind `{show(kind)}`",
            suggest(kind, [*(k.value for k in RelationKind), *OTHER_RELATION_KINDS])
            or "the supported kinds are many_to_one and many_to_many",
        )

    def _on_delete(self, node: Node, required: bool) -> OnDelete:
        value = text_of(self.source, node, "`on_delete`")
        choices = [o.value for o in OnDelete]
        if value not in choices:
            self.source.fail(
                node, f"unknown on_delete `{show(value)}`", choices_hint(value, choices)
            )
        if value == OnDelete.SET_NULL.value and required:
            self.source.fail(
                node,
                "on_delete: set_null needs an optional relation",
                "add `required: false`, or use restrict or cascade",
            )
        return OnDelete(value)

    # ---- members named by unique and list options

    def _member(self, node: Node, what: str, *, builtins: Sequence[str] = ()) -> str:
        """A field or relation named in `unique` or `list`; `NAME_id` means relation NAME."""
        name = text_of(self.source, node, what)
        if name in self.fields or name in builtins:
            return name
        if name in self.relations:
            return name
        link = next((r for r in self.many_to_many.values() if name in (r.name, r.ids)), None)
        if link is not None:
            self.source.fail(
                node,
                f"{what} names the many_to_many `{link.name}`, which it does not support yet",
                "only fields and many_to_one relations can be used here",
            )
        column_of = {r.column: r.name for r in self.relations.values()}
        if name in column_of:
            return column_of[name]
        if name in ("owner", "owner_id") and not self.owned:
            self.source.fail(
                node,
                f"{what} names `{name}`, but {self.name} is not owned",
                "add `owned: true` to the entity",
            )
        known = [*self.fields, *self.relations, *builtins]
        self.source.fail(
            node,
            f"{what} names `{show(name)}`, which is not a field or relation of {self.name}",
            choices_hint(name, known, "known names"),
        )

    def _unique(self, entry: Entry | None) -> tuple[tuple[str, ...], ...]:
        if entry is None or is_null(entry.value):
            return ()
        groups: list[tuple[str, ...]] = []
        for group_node in items_of(self.source, entry.value, "`unique`"):
            if isinstance(group_node, ScalarNode):
                self.source.fail(
                    group_node,
                    "each item of `unique` must be a list of names",
                    "write unique: [[a, b]] for one constraint over a and b",
                )
            group = self._unique_group(group_node)
            if group in groups:
                self.source.fail(group_node, "this unique constraint is listed twice")
            groups.append(group)
        return tuple(groups)

    def _with_one_to_one(self, groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        """A one_to_one is a many_to_one whose column is unique: one row per target row."""
        extra = tuple(
            (r.name,)
            for r in self.relations.values()
            if r.kind is RelationKind.ONE_TO_ONE and (r.name,) not in groups
        )
        return groups + extra

    def _unique_group(self, node: Node) -> tuple[str, ...]:
        members: list[str] = []
        builtins = ("owner", "owner_id") if self.owned else ()
        for item in items_of(self.source, node, "a unique constraint"):
            name = self._member(item, "`unique`", builtins=builtins)
            name = "owner" if name == "owner_id" else name
            field = self.fields.get(name)
            if field is not None and field.type is FieldType.JSON:
                self.source.fail(item, f"`{name}` is a json field and cannot be unique")
            if name in members:
                self.source.fail(item, f"`{name}` appears twice in one unique constraint")
            members.append(name)
        if not members:
            self.source.fail(node, "a unique constraint needs at least one name")
        return tuple(members)

    def _plural(self, entry: Entry | None) -> str | None:
        if entry is None:
            return None
        plural = text_of(self.source, entry.value, "`plural`")
        _check_snake(self.source, entry.value, plural, "the plural")
        return plural

    # ---- access

    def _access(self, entry: Entry | None) -> dict[Action, tuple[Grant, ...]]:
        access = _default_access(self.owned)
        if entry is None or is_null(entry.value):
            return access
        found = entries(self.source, entry.value, "`access`")
        check_keys(self.source, found, [*(a.value for a in Action), RESTORE_ACTION], "`access`")
        for item in found:
            if item.key == RESTORE_ACTION:
                self.restore = self._restore_grants(item)
                continue
            action = Action(item.key)
            access[action] = self._grants(action, item.value)
        return access

    def _value_of(self, name: str, node: Node) -> Any:
        """A value an action sets `name` to, checked like a default of the field."""
        field = self.fields[name]
        attr = _Attr(build_value(self.source, node), self.source.of(node), node)
        if attr.value is None:
            if field.nullable:
                return None
            self.source.fail(node, f"`{name}` is required: an action cannot set it to null")
        return _ValueChecker(self.builders[name], field, attr, "value").check()

    def _action_grants(self, node: Node, action: str) -> tuple[Grant, ...]:
        # An action changes an existing row, as an update does: the same grants apply.
        return self._grants(Action.UPDATE, node, f"access of action {action}")

    def _restore_grants(self, item: Entry) -> tuple[Grant, ...]:
        if not self.soft_delete:
            self.source.fail(
                item.key_node,
                f"`restore` applies to soft-deleted rows, and {self.name} has no soft_delete",
                "add `soft_delete: true` to the entity, or remove `restore`",
            )
        # Restoring is a change to an existing row: the same grants as delete make sense.
        return self._grants(Action.DELETE, item.value, RESTORE_ACTION)

    def _grants(self, action: Action, node: Node, label: str | None = None) -> tuple[Grant, ...]:
        nodes = list(node.value) if isinstance(node, SequenceNode) else [node]
        if not nodes:
            self.source.fail(
                node,
                f"`{label or action.value}` has an empty list of grants",
                "name at least one grant; to forbid an action, use role:admin",
            )
        grants: list[Grant] = []
        for item in nodes:
            grant = self._grant(action, item).model_copy(update={"location": self.source.of(item)})
            if any(str(grant) == str(other) for other in grants):
                self.source.fail(item, f"the grant `{grant}` is listed twice")
            grants.append(grant)
        return tuple(grants)

    def _grant(self, action: Action, node: Node) -> Grant:
        if isinstance(node, MappingNode) and len(node.value) == 1:
            self.source.fail(node, "a grant must be text", 'write role grants quoted: "role:admin"')
        text = text_of(self.source, node, "a grant")
        if text.startswith("role:"):
            return self._role_grant(node, text.removeprefix("role:").strip())
        kinds = [GrantKind.PUBLIC.value, GrantKind.AUTHENTICATED.value, GrantKind.OWNER.value]
        if text not in kinds:
            self.source.fail(
                node,
                f"unknown grant `{show(text)}`",
                suggest(text, [*kinds, "role:admin"])
                or "a grant is public, authenticated, owner or role:NAME",
            )
        if text == GrantKind.OWNER.value:
            self._check_owner_grant(action, node)
        if text == GrantKind.PUBLIC.value and self.tenant:
            self.source.fail(
                node,
                f"{self.name}'s rows belong to tenants, and an anonymous caller belongs to "
                "none: no grant of it can be public",
                "use authenticated",
            )
        if text == GrantKind.PUBLIC.value and action is Action.CREATE and self.owned:
            self.source.fail(
                node,
                f"`create` of {self.name} cannot be public: its rows belong to the user "
                "who creates them, and an anonymous caller is no user",
                "use authenticated",
            )
        return Grant(kind=GrantKind(text))

    def _role_grant(self, node: Node, role: str) -> Grant:
        if role not in self.document.roles:
            declared = [r for r in self.document.roles if r != "admin"]
            hint = f"declare it: roles: [{', '.join([*declared, role])}]"
            close = suggest(role, self.document.roles)
            self.source.fail(
                node,
                f"the role `{show(role)}` is not declared in `roles`",
                f"{close} or {hint}" if close else hint,
            )
        return Grant(kind=GrantKind.ROLE, role=role)

    def _check_owner_grant(self, action: Action, node: Node) -> None:
        if not self.owned:
            self.source.fail(
                node,
                f"`owner` is only for owned entities and {self.name} is not owned",
                "add `owned: true` to the entity",
            )
        if action is Action.CREATE:
            self.source.fail(
                node,
                "`owner` cannot grant `create`: a row has no owner before it exists",
                "use authenticated (the creator becomes the owner)",
            )

    # ---- list options

    def _list(self, entry: Entry | None) -> ListOptions:
        if entry is None or is_null(entry.value):
            return ListOptions()
        found = entries(self.source, entry.value, "`list`")
        check_keys(self.source, found, LIST_KEYS, "`list`")
        body = _by_key(found)
        return ListOptions(
            filter=self._filter(body.get("filter")),
            across=self._across(body.get("filter")),
            sort=self._sort(body.get("sort")),
            search=self._search(body.get("search")),
            page_size=self._page_size(body.get("page_size")),
        )

    def _names(self, entry: Entry | None, what: str) -> list[tuple[Node, str]]:
        if entry is None or is_null(entry.value):
            return []
        return [
            (n, text_of(self.source, n, what)) for n in items_of(self.source, entry.value, what)
        ]

    def _filter(self, entry: Entry | None) -> tuple[str, ...]:
        names: list[str] = []
        for node, text in self._names(entry, "`list.filter`"):
            if "." in text:
                continue  # a parent's field: `_across`
            name = self._member(node, "`list.filter`")
            self._check_listable(node, name, "filtered")
            if name in names:
                self.source.fail(node, f"`{name}` is listed twice in `list.filter`")
            names.append(name)
        return tuple(names)

    def _across(self, entry: Entry | None) -> tuple[RelationFilter, ...]:
        """`relation.field` in `list.filter`; the parent's field is checked once all are read."""
        found: list[RelationFilter] = []
        for node, text in self._names(entry, "`list.filter`"):
            if "." not in text:
                continue
            relation, _, field = text.partition(".")
            if relation not in self.relations or not field or "." in field:
                self.source.fail(
                    node,
                    f"`list.filter` names `{show(text)}`: `{show(relation)}` is not a "
                    f"relation of {self.name}",
                    choices_hint(relation, list(self.relations), "relations"),
                )
            across = RelationFilter(relation=relation, field=field, location=self.source.of(node))
            if any((a.relation, a.field) == (relation, field) for a in found):
                self.source.fail(node, f"`{text}` is listed twice in `list.filter`")
            found.append(across)
        return tuple(found)

    def _sort(self, entry: Entry | None) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        for node, text in self._names(entry, "`list.sort`"):
            descending = text.startswith("-")
            bare = ScalarNode(STR_TAG, text.removeprefix("-"), node.start_mark, node.end_mark)
            name = self._member(bare, "`list.sort`", builtins=BUILTIN_SORT_KEYS)
            self._check_listable(node, name, "sorted")
            if any(key.name == name for key in keys):
                self.source.fail(node, f"`{name}` is listed twice in `list.sort`")
            keys.append(SortKey(name=name, descending=descending, location=self.source.of(node)))
        return tuple(keys)

    def _search(self, entry: Entry | None) -> tuple[str, ...]:
        names: list[str] = []
        text_fields = [f.name for f in self.fields.values() if f.type in STRING_TYPES]
        for node, name in self._names(entry, "`list.search`"):
            field = self.fields.get(name)
            if field is None:
                self.source.fail(
                    node,
                    f"`list.search` names `{show(name)}`, which is not a field of {self.name}",
                    choices_hint(name, text_fields, "text fields"),
                )
            if field.type not in STRING_TYPES:
                self.source.fail(
                    node,
                    f"`{name}` is a {field.type.value} field; search works on str, text, "
                    "email and url fields",
                    "use list.filter for other fields",
                )
            self._check_listable(node, name, "searched")
            if name in names:
                self.source.fail(node, f"`{name}` is listed twice in `list.search`")
            names.append(name)
        return tuple(names)

    def _check_listable(self, node: Node, name: str, verb: str) -> None:
        field = self.fields.get(name)
        if field is None:
            return
        if field.type is FieldType.JSON:
            self.source.fail(node, f"`{name}` is a json field and cannot be {verb}")
        if field.write_only:
            self.source.fail(
                node,
                f"`{name}` is write_only and cannot be {verb}",
                "results would reveal a value that is never returned",
            )
        if field.guarded:
            self.source.fail(
                node,
                f"`{name}` has a read rule and cannot be {verb}",
                "results would reveal its value to callers who may not see it",
            )

    def _page_size(self, entry: Entry | None) -> PageSize:
        if entry is None or is_null(entry.value):
            return PageSize()
        found = entries(self.source, entry.value, "`page_size`")
        check_keys(self.source, found, PAGE_SIZE_KEYS, "`page_size`")
        body = _by_key(found)
        maximum = PageSize().max
        if "max" in body:
            maximum = self._page_number(body["max"].value, "max", MAX_PAGE_SIZE)
        default = min(PageSize().default, maximum)
        if "default" in body:
            default = self._page_number(body["default"].value, "default", maximum)
        return PageSize(default=default, max=maximum)

    def _page_number(self, node: Node, key: str, upper: int) -> int:
        value = build_value(self.source, node) if _is_scalar(node) else None
        if not isinstance(value, int) or isinstance(value, bool):
            self.source.fail(
                node, f"`page_size.{key}` must be a whole number, not {describe(node)}"
            )
        if not 1 <= value <= upper:
            bound = "the page size max" if key == "default" else "the limit"
            self.source.fail(
                node,
                f"`page_size.{key}` {value} must be between 1 and {upper} ({bound})",
                "raise page_size.max too" if key == "default" and value > upper else None,
            )
        return value


def _is_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode)


def _default_access(owned: bool) -> dict[Action, tuple[Grant, ...]]:
    """SPEC §2: `authenticated` everywhere; owned rows are for their owner and admins."""
    authenticated = (Grant(kind=GrantKind.AUTHENTICATED),)
    if not owned:
        return dict.fromkeys(Action, authenticated)
    mine = (Grant(kind=GrantKind.OWNER), Grant(kind=GrantKind.ROLE, role="admin"))
    return {action: authenticated if action is Action.CREATE else mine for action in Action}


# --------------------------------------------------------------------------- fields


@dataclass(frozen=True)
class _Attr:
    """One attribute of a field, from either form, with the place it was written."""

    value: Any
    location: Location
    node: Node | None = None  # the YAML node, when the value has one of its own


class _FieldBuilder:
    """Reads one field (short form, long form or `{enum: [...]}`) and checks it."""

    def __init__(self, source: Source, entry: Entry, entity_names: Sequence[str]) -> None:
        self.source = source
        self.entity_names = entity_names  # to recognise a relation written among the fields
        self.name = entry.key
        self.entry = entry
        self.attrs: dict[str, _Attr] = {}
        self.type = FieldType.STR

    def build(self) -> Field:
        self._read(self.entry.value)
        self.type = self._type()
        self._check_applicable()
        values = self._values()
        precision, scale = self._precision_scale()
        low, high = self._bounds()
        min_length, max_length = self._lengths()
        nullable = not self._flag("required", default=True)
        field = Field(
            name=self.name,
            type=self.type,
            nullable=nullable,
            unique=self._flag("unique"),
            index=self._flag("index"),
            min=low,
            max=high,
            min_length=min_length,
            max_length=max_length,
            pattern=self._pattern(),
            values=values,
            precision=precision,
            scale=scale,
            description=self._text("description"),
            read_only=self._flag("read_only"),
            write_only=self._flag("write_only"),
            immutable=self._flag("immutable"),
            location=self.source.of(self.entry.key_node),
        )
        self._check_combinations(field)
        field = self._with_value(field, "default")
        field = self._with_value(field, "example")
        self._check_server_can_fill(field)
        return field

    def fail(self, attr: _Attr, message: str, hint: str | None = None) -> NoReturn:
        raise SpecError(message, attr.location, hint=hint)

    # ---- reading the three forms into attributes

    def _read(self, node: Node) -> None:
        if isinstance(node, ScalarNode) and node.tag == STR_TAG:
            self._read_short(node)
        elif isinstance(node, MappingNode):
            self._read_long(node)
        else:
            self.source.fail(
                node,
                f"field `{self.name}` must be a type or a mapping, not {describe(node)}",
                quote_hint(node) or SHORT_FORM_HINT,
            )

    def _read_short(self, node: ScalarNode) -> None:
        head, equals, default = node.value.partition("=")
        match = _SHORT_FIELD.match(head)
        if match is None:
            self.source.fail(
                node, f"cannot read the field `{self.name}`: `{show(node.value)}`", SHORT_FORM_HINT
            )
        self.attrs["type"] = _Attr(match["type"], inside(self.source, node, match.start("type")))
        if match["args"] is not None:
            self._read_args(
                match["type"], match["args"], inside(self.source, node, match.start("args") - 1)
            )
        if match["optional"]:
            self.attrs["required"] = _Attr(
                False, inside(self.source, node, match.start("optional"))
            )
        self._read_flags(node, match)
        if equals:
            self._read_short_default(node, default, len(head) + 1)

    def _read_flags(self, node: ScalarNode, match: re.Match[str]) -> None:
        for word in re.finditer(r"\S+", match["flags"]):
            location = inside(self.source, node, match.start("flags") + word.start())
            flag = word[0]
            if flag not in SHORT_FLAGS:
                hint = choices_hint(flag, SHORT_FLAGS, "the short form knows")
                if "?" in flag or "(" in flag or ")" in flag:
                    hint = SHORT_FORM_HINT
                raise SpecError(
                    f"unexpected `{show(flag)}` in the field `{self.name}`", location, hint=hint
                )
            if flag in self.attrs:
                raise SpecError(f"`{flag}` is given twice for `{self.name}`", location)
            self.attrs[flag] = _Attr(True, location)

    def _read_short_default(self, node: ScalarNode, text: str, offset: int) -> None:
        start = offset + len(text) - len(text.lstrip())
        location = inside(self.source, node, start)
        if not text.strip():
            raise SpecError(
                f"the field `{self.name}` has `=` but no default", location, hint="e.g. `int = 3`"
            )
        # The default is YAML in its own right (`= 3`, `= "x"`, `= [a, b]`); compose it
        # with a source anchored at its place in the file so errors point inside the value.
        sub = Source(
            self.source.file, first_line=location.line - 1, first_column=location.column - 1
        )
        value_node = compose(text.strip(), sub)
        if value_node is None:
            raise SpecError(f"the field `{self.name}` has `=` but no default", location)
        value = build_value(sub, value_node)
        self.attrs["default"] = _Attr(value, sub.of(value_node), value_node)

    def _read_args(self, type_name: str, args: str, location: Location) -> None:
        """`(1..100)`, `(..100)`, `(100)` for text, `(0..)` for numbers, `(8,2)` for decimal."""
        if type_name in {t.value for t in STRING_TYPES}:
            keys = ("min_length", "max_length")
        elif type_name in {t.value for t in NUMERIC_TYPES}:
            keys = ("min", "max")
        else:
            return self._args_on_other_type(type_name, location)
        if type_name == FieldType.DECIMAL.value and (precision := _PRECISION.match(args)):
            self.attrs["precision"] = _Attr(int(precision["precision"]), location)
            self.attrs["scale"] = _Attr(int(precision["scale"]), location)
            return None
        if single := _SINGLE.match(args):
            if keys[0] == "min":
                raise SpecError(
                    f"`({args})` on `{type_name}`: a single number is a maximum length, "
                    "which only text fields have",
                    location,
                    hint=f"for a value range write ({args}..) or (..{args})",
                )
            self.attrs["max_length"] = _Attr(_number(single["value"]), location)
            return None
        found = _RANGE.match(args)
        if found is None or (found["lo"] is None and found["hi"] is None):
            raise SpecError(
                f"cannot read the arguments `({show(args)})` of `{self.name}`",
                location,
                hint="write a range such as (1..100), (..100), (3..) or a maximum length (100)",
            )
        for key, text in zip(keys, (found["lo"], found["hi"]), strict=True):
            if text is not None:
                self.attrs[key] = _Attr(_number(text), location)
        return None

    def _args_on_other_type(self, type_name: str, location: Location) -> None:
        if type_name in {t.value for t in FieldType}:
            raise SpecError(
                f"`{type_name}` takes no arguments (field `{self.name}`)",
                location,
                hint="ranges are for str, text, email, url (length) and numbers (value)",
            )
        # An unknown type: let the type check report it with a suggestion.

    def _read_long(self, node: MappingNode) -> None:
        found = entries(self.source, node, f"field `{self.name}`")
        for entry in found:
            if entry.key == "to":
                self.source.fail(
                    entry.key_node,
                    f"unknown key `to` in field `{self.name}`",
                    f"`{self.name}` looks like a relation: declare it under `relations:`",
                )
        check_keys(self.source, found, FIELD_KEYS, f"field `{self.name}`")
        for entry in found:
            # Enum values stay nodes: each one is checked where it is written. So do
            # grants: the entity reads them, knowing its roles and whether it is owned.
            keep_node = entry.key in ("values", "enum", "access")
            value = None if keep_node else build_value(self.source, entry.value)
            self.attrs[entry.key] = _Attr(value, self.source.of(entry.value), entry.value)
        if "enum" in self.attrs:
            self._read_enum_shorthand(self.attrs["enum"])
        if "type" not in self.attrs:
            self.source.fail(
                node,
                f"field `{self.name}` has no `type`",
                "add a type, e.g. `type: str`, or use {enum: [a, b]}",
            )

    def _read_enum_shorthand(self, attr: _Attr) -> None:
        clash = "type" if "type" in self.attrs else "values" if "values" in self.attrs else None
        if clash is not None:
            self.fail(
                self.attrs[clash],
                f"field `{self.name}` has both `enum` and `{clash}`",
                "write either {enum: [a, b]} or {type: enum, values: [a, b]}",
            )
        self.attrs["type"] = _Attr(FieldType.ENUM.value, attr.location)
        self.attrs["values"] = self.attrs.pop("enum")

    # ---- checking attributes

    def _type(self) -> FieldType:
        attr = self.attrs["type"]
        if not isinstance(attr.value, str):
            hint = quote_hint(attr.node) if attr.node is not None else None
            self.fail(attr, f"the type of `{self.name}` must be a type name", hint)
        names = [t.value for t in FieldType]
        if attr.value not in names:
            hint = suggest(attr.value, names) or f"types: {', '.join(names)}"
            if re.search(r"[()?]", attr.value):
                hint = "in the long form give the type alone and use min/max/min_length/..."
            if attr.value in self.entity_names:
                hint = f"`{attr.value}` is an entity: declare `{self.name}` under `relations:`"
            self.fail(attr, f"unknown type `{show(attr.value)}` for `{self.name}`", hint)
        return FieldType(attr.value)

    def _check_applicable(self) -> None:
        only_for: dict[str, frozenset[FieldType]] = {
            "min": NUMERIC_TYPES,
            "max": NUMERIC_TYPES,
            "min_length": STRING_TYPES,
            "max_length": STRING_TYPES,
            "pattern": frozenset({FieldType.STR, FieldType.TEXT}),
            "values": frozenset({ENUM_TYPE}),
            "precision": frozenset({FieldType.DECIMAL}),
            "scale": frozenset({FieldType.DECIMAL}),
        }
        for key, types in only_for.items():
            if key in self.attrs and self.type not in types:
                self.fail(
                    self.attrs[key],
                    f"`{key}` does not apply to the {self.type.value} field `{self.name}`",
                    _applicable_hint(key, self.type, types),
                )
        if self.type is FieldType.JSON:
            for key, verb in (("unique", "be unique"), ("index", "have an index")):
                if self._flag(key):
                    self.fail(
                        self.attrs[key],
                        f"the json field `{self.name}` cannot {verb}",
                        "databases cannot compare JSON values with an ordinary index",
                    )

    def _flag(self, key: str, *, default: bool = False) -> bool:
        attr = self.attrs.get(key)
        if attr is None:
            return default
        if not isinstance(attr.value, bool):
            self.fail(attr, f"`{key}` must be true or false, not {self._describe(attr)}")
        return attr.value

    def _text(self, key: str) -> str | None:
        attr = self.attrs.get(key)
        if attr is None:
            return None
        if not isinstance(attr.value, str):
            self.fail(attr, f"`{key}` must be text, not {self._describe(attr)}")
        return attr.value

    def _describe(self, attr: _Attr) -> str:
        return describe(attr.node) if attr.node is not None else f"`{show(attr.value)}`"

    def _values(self) -> tuple[str, ...]:
        if self.type is not ENUM_TYPE:
            return ()
        attr = self.attrs.get("values")
        if attr is None or attr.node is None:
            self.fail(
                self.attrs["type"],
                f"the enum field `{self.name}` has no values",
                "write {enum: [a, b]} or add values: [a, b]",
            )
        nodes = items_of(self.source, attr.node, "enum values")
        if not nodes:
            self.fail(attr, f"the enum field `{self.name}` has no values", "list at least one")
        values: list[str] = []
        members: dict[str, str] = {}
        for node in nodes:
            value = self._enum_value(node)
            if value in values:
                self.source.fail(node, f"the enum value `{value}` is listed twice")
            member = enum_member_name(value)
            if member in members:
                self.source.fail(
                    node,
                    f"the enum values `{members[member]}` and `{value}` both become "
                    f"the Python name {member}",
                    "make them differ by more than punctuation or case",
                )
            members[member] = value
            values.append(value)
        return tuple(values)

    def _enum_value(self, node: Node) -> str:
        if not (isinstance(node, ScalarNode) and node.tag == STR_TAG):
            self.source.fail(
                node, f"enum values must be text, not {describe(node)}", quote_hint(node)
            )
        if not node.value.strip():
            self.source.fail(node, "an enum value is empty")
        if not enum_member_name(node.value):
            self.source.fail(
                node,
                f"the enum value `{show(node.value)}` has no letters or digits",
                "enum values become Python names",
            )
        return str(node.value)

    def _precision_scale(self) -> tuple[int | None, int | None]:
        if self.type is not FieldType.DECIMAL:
            return None, None
        precision = self._count("precision", DEFAULT_PRECISION)
        scale = self._count("scale", min(DEFAULT_SCALE, precision))
        if not 1 <= precision <= MAX_PRECISION:
            self.fail(
                self.attrs["precision"],
                f"`{self.name}`: precision {precision} must be between 1 and {MAX_PRECISION}",
            )
        if not 0 <= scale <= precision:
            self.fail(
                self.attrs["scale"],
                f"`{self.name}`: scale {scale} must be between 0 and the precision ({precision})",
                "scale counts the digits after the point, precision all digits",
            )
        return precision, scale

    def _count(self, key: str, default: int) -> int:
        attr = self.attrs.get(key)
        if attr is None:
            return default
        if not isinstance(attr.value, int) or isinstance(attr.value, bool):
            self.fail(attr, f"`{key}` must be a whole number, not {self._describe(attr)}")
        return attr.value

    def _lengths(self) -> tuple[int | None, int | None]:
        low = self._length("min_length")
        high = self._length("max_length")
        if high is not None and high < 1:
            self.fail(self.attrs["max_length"], f"`{self.name}`: max_length must be at least 1")
        if low is not None and high is not None and low > high:
            self.fail(
                self.attrs["min_length"],
                f"`{self.name}`: min_length {low} is greater than max_length {high}",
            )
        return low, high

    def _length(self, key: str) -> int | None:
        attr = self.attrs.get(key)
        if attr is None:
            return None
        value = self._count(key, 0)
        if value < 0:
            self.fail(attr, f"`{self.name}`: {key} {value} is negative")
        return value

    def _bounds(self) -> tuple[int | float | Decimal | None, int | float | Decimal | None]:
        low = self._bound("min")
        high = self._bound("max")
        if low is not None and high is not None and low > high:
            self.fail(self.attrs["min"], f"`{self.name}`: min {low} is greater than max {high}")
        return low, high

    def _bound(self, key: str) -> int | float | Decimal | None:
        attr = self.attrs.get(key)
        if attr is None:
            return None
        what = f"`{self.name}`: {key}"
        number = self.to_number(attr, what)
        self.check_width(attr, what, number)
        return number

    def to_number(self, attr: _Attr, what: str) -> int | float | Decimal:
        """A number for this field's type: int for int/bigint, float, or Decimal."""
        value = attr.value
        if self.type is FieldType.DECIMAL and isinstance(value, str):
            value = _decimal(value)
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            hint = quote_hint(attr.node) if attr.node is not None else None
            if isinstance(value, str) and _decimal(value) is not None:
                hint = f"YAML read `{value}` as text; write a plain number such as 100000"
            self.fail(attr, f"{what} must be a number, not {self._describe(attr)}", hint)
        if self.type in (FieldType.INT, FieldType.BIGINT):
            if not isinstance(value, int):
                self.fail(
                    attr, f"{what} {show(value)} must be a whole number for {self.type.value}"
                )
            return value
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(attr, f"{what} must be a finite number")
        if self.type is FieldType.FLOAT:
            return float(value)
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
        if not number.is_finite():
            self.fail(attr, f"{what} must be a finite number")
        return number

    def check_width(self, attr: _Attr, what: str, number: float | Decimal) -> None:
        """Integers must fit their column; decimals their precision and scale."""
        if self.type is FieldType.INT and not INT32[0] <= number <= INT32[1]:
            self.fail(
                attr,
                f"{what} {number} does not fit in a 32-bit int",
                "use `bigint` for values beyond ±2147483647",
            )
        if self.type is FieldType.BIGINT and not INT64[0] <= number <= INT64[1]:
            self.fail(
                attr,
                f"{what} {number} does not fit in a 64-bit bigint",
                "use `decimal` with scale 0 for larger whole numbers",
            )
        if self.type is FieldType.DECIMAL and isinstance(number, Decimal):
            self._check_decimal_fits(attr, what, number)

    def _check_decimal_fits(self, attr: _Attr, what: str, number: Decimal) -> None:
        precision, scale = self._precision_scale()
        if precision is None or scale is None:  # not a decimal: nothing to fit
            return
        if abs(number) >= Decimal(10) ** (precision - scale):
            self.fail(
                attr,
                f"{what} {number} does not fit decimal({precision},{scale})",
                f"at most {precision - scale} digits before the point",
            )
        # Precision can exceed the default decimal context (28 digits): widen it.
        with localcontext() as context:
            context.prec = 2 * MAX_PRECISION
            exact = number == number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_DOWN)
        if not exact:
            self.fail(attr, f"{what} {number} has more than {scale} digits after the point")

    def _pattern(self) -> str | None:
        pattern = self._text("pattern")
        if pattern is None:
            return None
        try:
            with warnings.catch_warnings():
                # Python warns about constructs whose meaning may change ("nested set");
                # those still compile today, and the user sees no stray output.
                warnings.simplefilter("ignore")
                re.compile(pattern)
        except (re.error, OverflowError) as exc:
            self.fail(self.attrs["pattern"], f"the pattern of `{self.name}` is not a regex: {exc}")
        return pattern

    def _check_combinations(self, field: Field) -> None:
        if field.read_only and field.write_only:
            self.fail(
                self.attrs["write_only"],
                f"`{self.name}` cannot be both read_only and write_only",
                "read_only: only the server sets it; write_only: it is never returned",
            )
        if field.read_only and field.immutable:
            self.fail(
                self.attrs["immutable"],
                f"`{self.name}` is read_only, so immutable says nothing more",
                "remove immutable; or remove read_only if clients set it once on create",
            )

    def _check_server_can_fill(self, field: Field) -> None:
        if not field.read_only:
            return
        if not (field.nullable or field.has_default):
            self.fail(
                self.attrs["read_only"],
                f"`{self.name}` is read_only and required but has no default: "
                "the server could never fill it",
                "give it a default, or make it optional",
            )
        if field.unique and field.has_default and field.default is not None:
            self.fail(
                self.attrs["unique"],
                f"`{self.name}` is read_only and unique with a default: every row would get "
                "the same value",
                "drop unique or read_only",
            )

    # ---- defaults and examples

    def _with_value(self, field: Field, key: str) -> Field:
        attr = self.attrs.get(key)
        if attr is None:
            return field
        if attr.value is None:
            if field.nullable:
                return field  # `default: null` on an optional field is what it does anyway
            self.fail(
                attr,
                f"the {key} of `{self.name}` is null but the field is required",
                "make the field optional with `?` or `required: false`",
            )
        value = _ValueChecker(self, field, attr, key).check()
        if key == "default":
            return field.model_copy(update={"default": value, "has_default": True})
        return field.model_copy(update={"example": value})


def _applicable_hint(key: str, type_: FieldType, types: frozenset[FieldType]) -> str:
    if key in ("min", "max") and type_ in STRING_TYPES:
        return "for a length, use min_length and max_length"
    if key in ("min_length", "max_length") and type_ in NUMERIC_TYPES:
        return "for a value range, use min and max"
    return "it applies to " + ", ".join(sorted(t.value for t in types))


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    return int(cleaned) if re.fullmatch(r"[-+]?\d+", cleaned) else float(cleaned)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


class _ValueChecker:
    """Converts a default or example to the field's Python type and checks its rules."""

    def __init__(self, builder: _FieldBuilder, field: Field, attr: _Attr, what: str) -> None:
        self.builder = builder
        self.field = field
        self.attr = attr
        self.what = f"`{field.name}`: the {what}"

    def fail(self, message: str, hint: str | None = None) -> NoReturn:
        self.builder.fail(self.attr, f"{self.what} {message}", hint)

    def wrong_type(self, expected: str) -> NoReturn:
        node = self.attr.node
        hint = quote_hint(node) if node is not None else None
        got = describe(node) if node is not None else f"`{show(self.attr.value)}`"
        self.fail(f"must be {expected}, not {got}", hint)

    def check(self) -> Any:
        kind = self.field.type
        if kind in NUMERIC_TYPES:
            return self._number()
        if kind in STRING_TYPES:
            return self._string()
        converters = {
            FieldType.BOOL: self._bool,
            FieldType.DATE: self._date,
            FieldType.DATETIME: self._datetime,
            FieldType.TIME: self._time,
            FieldType.UUID: self._uuid,
            FieldType.JSON: self._json,
            FieldType.ENUM: self._enum,
        }
        return converters[kind]()

    def _number(self) -> int | float | Decimal:
        number = self.builder.to_number(self.attr, self.what)
        self.builder.check_width(self.attr, self.what, number)
        low, high = self.field.min, self.field.max
        if low is not None and number < low:
            self.fail(f"{number} is below the minimum {low}")
        if high is not None and number > high:
            self.fail(f"{number} is above the maximum {high}")
        return number

    def _string(self) -> str:
        value = self.attr.value
        if not isinstance(value, str):
            self.wrong_type("text")
        field = self.field
        if field.min_length is not None and len(value) < field.min_length:
            self.fail(f"is shorter than min_length {field.min_length}")
        if field.max_length is not None and len(value) > field.max_length:
            self.fail(f"is longer than max_length {field.max_length}")
        if field.pattern is not None and not re.search(field.pattern, value):
            self.fail(f"{show(value)!r} does not match the pattern {field.pattern}")
        if field.type is FieldType.EMAIL and not _EMAIL.match(value):
            self.fail(f"{show(value)!r} is not an email address")
        if field.type is FieldType.URL and not _is_url(value):
            self.fail(f"{show(value)!r} is not an http(s) URL")
        return value

    def _bool(self) -> bool:
        if not isinstance(self.attr.value, bool):
            self.wrong_type("true or false")
        return self.attr.value

    def _date(self) -> date:
        value = self.attr.value
        if isinstance(value, str):
            value = _parse_iso(date.fromisoformat, value)
        if isinstance(value, datetime) or not isinstance(value, date):
            self.wrong_type("a date such as 2024-05-31")
        return value

    def _datetime(self) -> datetime:
        value = self.attr.value
        if isinstance(value, str):
            value = _parse_iso(datetime.fromisoformat, value)
        if not isinstance(value, datetime):
            self.wrong_type("a date and time such as 2024-05-31T09:30:00Z")
        return value

    def _time(self) -> time:
        value = self.attr.value
        if isinstance(value, str):
            value = _parse_iso(time.fromisoformat, value)
        if not isinstance(value, time):
            self.wrong_type('a time such as "09:30:00" (quoted)')
        return value

    def _uuid(self) -> str:
        value = self.attr.value
        parsed = _parse_iso(uuid.UUID, value) if isinstance(value, str) else None
        if parsed is None:
            self.wrong_type("a UUID such as 123e4567-e89b-12d3-a456-426614174000")
        return str(parsed)

    def _json(self) -> Any:
        problem = _json_problem(self.attr.value)
        if problem is not None:
            self.fail(f"is not JSON: {problem}", "quote dates and times to keep them as text")
        return self.attr.value

    def _enum(self) -> str:
        value = self.attr.value
        if not isinstance(value, str):
            self.wrong_type("one of the enum values")
        if value not in self.field.values:
            self.fail(
                f"`{show(value)}` is not one of the values",
                choices_hint(value, self.field.values, "values"),
            )
        return value


def _parse_iso(parse: Any, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None


def _is_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _json_problem(value: Any) -> str | None:
    """Why a YAML value would not survive a round trip through JSON, or None."""
    sizes: dict[int, int] = {}
    try:
        size = _json_size(value, sizes)
    except _NotJsonError as exc:
        return str(exc)
    if size > MAX_JSON_VALUES:
        # Aliases can make a small document expand into a huge value ("billion laughs").
        return f"it expands to {size} values (at most {MAX_JSON_VALUES})"
    return None


class _NotJsonError(ValueError):
    pass


def _json_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values `value` holds once aliases are expanded; shared parts counted once."""
    if value is None or isinstance(value, (str, bool, int)):
        return 1
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _NotJsonError(f"{value} is not a JSON number")
        return 1
    if not isinstance(value, (list, dict)):
        raise _NotJsonError(f"{show(value)} is a {type(value).__name__}")
    if id(value) not in sizes:
        children = value.values() if isinstance(value, dict) else value
        sizes[id(value)] = 1 + sum(_json_size(child, sizes) for child in children)
    return sizes[id(value)]
