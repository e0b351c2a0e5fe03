"""The JSON Schema (draft 2020-12) of a feature document, for editors and `backsmith schema`.

The schema is a first line of help while typing: it knows every key, every type name and
the shape of the short forms, and explains each key. It accepts every document the parser
accepts; the parser then checks what a schema cannot express (names that must exist,
defaults that must satisfy their own field, ranges in the right order...).
"""

from __future__ import annotations

from typing import Any

from backsmith.spec.model import Action, FieldType, OnDelete, RelationKind
from backsmith.spec.parse import MANY_TO_ONE_ONLY

_TYPES = [t.value for t in FieldType if t is not FieldType.ENUM]
_SNAKE = "^[a-z][a-z0-9_]*$"
_PASCAL = "^[A-Z][A-Za-z0-9]*$"
_SHORT_FIELD = (
    r"^\s*(" + "|".join(_TYPES) + r")\s*(\([^()]*\)\s*)?\??(\s*(unique|index))*\s*(=.*)?$"
)
_SHORT_RELATION = r"^\s*[A-Z][A-Za-z0-9]*\s*\??\s*$"
_GRANT = r"^(public|authenticated|owner|role:\s*[a-z][a-z0-9_]*)$"
_SORT_KEY = r"^-?[a-z][a-z0-9_]*$"


def feature_json_schema() -> dict[str, Any]:
    """The JSON Schema of the feature document (the YAML block of a PRP, or a YAML file)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "backsmith feature document",
        "description": "A feature: its entities, their fields and relations, who may do "
        "what, and how lists behave. See docs/spec.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["feature", "entities"],
        "properties": {
            "feature": _text(
                "snake_case name of the feature; names its package (app/<feature>/).",
                pattern=_SNAKE,
            ),
            "title": _text("A human title, used in the generated API docs."),
            "description": _text("What the feature is for, in prose."),
            "roles": _or_null(
                {
                    "description": "Role names used in access rules as role:NAME. "
                    '"admin" always exists and need not be listed.',
                    "type": "array",
                    "uniqueItems": True,
                    "items": _text("A snake_case role name.", pattern=_SNAKE),
                }
            ),
            "rules": _rules(),
            "entities": {
                "description": "The entities of the feature, by PascalCase name.",
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": _PASCAL},
                "additionalProperties": {"$ref": "#/$defs/entity"},
            },
        },
        "$defs": {
            "entity": _entity(),
            "field": _field(),
            "fieldLong": _field_long(),
            "enumShorthand": _enum_shorthand(),
            "relation": _relation(),
            "grants": _grants(),
            "list": _list(),
        },
    }


def _text(description: str, *, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "description": description}
    if pattern is not None:
        schema["pattern"] = pattern
    return schema


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """An empty key (`relations:` with nothing after it) means the same as no key."""
    description = schema.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [schema, {"type": "null"}]}
    if description is not None:
        wrapped["description"] = description
    return wrapped


def _flag(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


def _names(description: str, pattern: str = _SNAKE) -> dict[str, Any]:
    return {
        "type": "array",
        "description": description,
        "uniqueItems": True,
        "items": {"type": "string", "pattern": pattern},
    }


def _rules() -> dict[str, Any]:
    return _or_null(
        {
            "description": "Business rules in prose. `implement --llm` implements them in the "
            "service's rule hooks; without it each is reported as left to do.",
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["prose"],
                "properties": {"prose": _text("The rule, in a sentence or two.")},
            },
        }
    )


def _entity() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "An entity: a table, a resource path (/kebab-case-plural) and CRUD "
        "endpoints.",
        "additionalProperties": False,
        "required": ["fields"],
        "properties": {
            "description": _text("What the entity is, in prose."),
            "rules": _rules(),
            "plural": _text(
                "snake_case plural, when the derived one is wrong (people for Person).",
                pattern=_SNAKE,
            ),
            "owned": _flag("Rows belong to the user who created them (adds owner_id)."),
            "versioned": _flag(
                "Optimistic concurrency: a version column; reads return an ETag, and PATCH "
                "and DELETE need If-Match (428 without it, 412 when stale)."
            ),
            "tenant": _flag(
                "Rows belong to the tenant of the user who creates them; no request reaches "
                "another tenant's rows, and uniqueness holds per tenant."
            ),
            "soft_delete": _flag(
                "DELETE hides a row (deleted_at) instead of removing it; POST "
                "/things/{id}/restore brings it back; uniqueness ignores deleted rows."
            ),
            "fields": {
                "type": "object",
                "description": "Scalar fields by snake_case name: a short form string "
                "TYPE[(ARGS)][?] [unique] [index] [= DEFAULT], or a mapping.",
                "minProperties": 1,
                "propertyNames": {"pattern": _SNAKE},
                "additionalProperties": {"$ref": "#/$defs/field"},
            },
            "relations": _or_null(
                {
                    "type": "object",
                    "description": "Relations by snake_case name: a many_to_one adds a "
                    "foreign key NAME_id; a many_to_many a set of links served as NAME_ids.",
                    "propertyNames": {"pattern": _SNAKE},
                    "additionalProperties": {"$ref": "#/$defs/relation"},
                }
            ),
            "computed": _or_null(
                {
                    "type": "object",
                    "description": "Read-only counts and sums over the rows of another "
                    "entity that point at this one (only the rows the caller may list), "
                    "loaded by the query that reads the row.",
                    "propertyNames": {"pattern": _SNAKE},
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "minProperties": 1,
                        "properties": {
                            "count": _text("The entity whose rows are counted.", pattern=_PASCAL),
                            "sum": _text(
                                "Entity.field: the number field summed (0 without rows).",
                                pattern=r"^[A-Z][A-Za-z0-9]*\.[a-z][a-z0-9_]*$",
                            ),
                            "via": _text(
                                "The counted entity's relation to this one; needed only "
                                "when it has several.",
                                pattern=_SNAKE,
                            ),
                        },
                    },
                }
            ),
            "checks": _or_null(
                {
                    "type": "array",
                    "description": "Cross-field rules checked on create and on update "
                    "against the merged row; a broken one is a 422 with its message.",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["rule", "message"],
                        "properties": {
                            "rule": _text(
                                "A condition over the entity's fields: comparisons, and/or/"
                                "not, in [...], is null, arithmetic on numbers and dates."
                            ),
                            "message": _text("The 422's message when the rule is broken."),
                        },
                    },
                }
            ),
            "actions": _or_null(
                {
                    "type": "object",
                    "description": "Custom actions, served as POST /things/{id}/NAME: each "
                    "sets fields, if its guard holds and the caller may.",
                    "propertyNames": {"pattern": _SNAKE},
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["set"],
                        "properties": {
                            "set": {
                                "type": "object",
                                "minProperties": 1,
                                "description": "FIELD: VALUE pairs; `now` and `today` for "
                                "datetime and date fields.",
                            },
                            "when": _text("Guard, in the checks' language; 409 if not true."),
                            "message": _text("What a 409 from the guard says."),
                            "access": {"$ref": "#/$defs/grants"},
                            "description": _text("Shown in the API documentation."),
                        },
                    },
                }
            ),
            "transitions": _or_null(
                {
                    "type": "object",
                    "description": "State machines: for an enum field, the values each value "
                    "may become. An unlisted value is final; any other move is a 409.",
                    "propertyNames": {"pattern": _SNAKE},
                    "additionalProperties": {
                        "type": "object",
                        "description": "FROM: [TO, ...] for each value of the field.",
                        "additionalProperties": {
                            "anyOf": [
                                {"type": "string"},
                                {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
                                {"type": "null"},
                            ]
                        },
                    },
                }
            ),
            "unique": _or_null(
                {
                    "type": "array",
                    "description": "Composite unique constraints: lists of field names, "
                    "relation names and (for owned entities) owner. A violation is a 409.",
                    "items": {**_names("One constraint."), "minItems": 1},
                }
            ),
            "access": _or_null(
                {
                    "type": "object",
                    "description": "Who may do each action. Default: authenticated; for owned "
                    'entities list/read/update/delete default to [owner, "role:admin"].',
                    "additionalProperties": False,
                    "properties": {
                        **{a.value: {"$ref": "#/$defs/grants"} for a in Action},
                        "restore": {
                            "$ref": "#/$defs/grants",
                            "description": "Who may restore a soft-deleted row (soft_delete "
                            "only). Default: the grants of delete.",
                        },
                    },
                }
            ),
            "list": _or_null({"$ref": "#/$defs/list"}),
        },
    }


def _field() -> dict[str, Any]:
    return {
        "description": "A field: short form string, long form mapping, or {enum: [...]}.",
        "anyOf": [
            _text(
                "Short form: TYPE[(ARGS)][?] [unique] [index] [= DEFAULT], "
                "e.g. str(1..100), int(0..)? = 3, decimal(8,2).",
                pattern=_SHORT_FIELD,
            ),
            {"$ref": "#/$defs/fieldLong"},
            {"$ref": "#/$defs/enumShorthand"},
        ],
    }


def _field_options() -> dict[str, Any]:
    """The keys the long form and the enum shorthand share."""
    number = {"type": ["number", "string"]}
    count = {"type": "integer", "minimum": 0}
    return {
        "required": _flag("false: the field may be null and omitted on create (like `?`)."),
        "default": {"description": "Value used when a create omits the field."},
        "unique": _flag("No two rows may share a value (409 on conflict)."),
        "index": _flag("Add a database index."),
        "min": {**number, "description": "Smallest allowed value (numbers)."},
        "max": {**number, "description": "Largest allowed value (numbers)."},
        "min_length": {**count, "description": "Shortest allowed text."},
        "max_length": {**count, "description": "Longest allowed text."},
        "pattern": _text("Regular expression the text must match (str and text)."),
        "precision": {"type": "integer", "minimum": 1, "maximum": 38,
                      "description": "Total digits of a decimal (default 12)."},
        "scale": {"type": "integer", "minimum": 0, "maximum": 38,
                  "description": "Digits after the point of a decimal (default 2)."},
        "description": _text("Shown in the API documentation."),
        "example": {"description": "Example value for the API documentation."},
        "read_only": _flag("Set by the server (default), never by a client."),
        "write_only": _flag("Accepted from clients, never returned (e.g. secrets)."),
        "immutable": _flag("Set on create, never changed by an update."),
        "access": {
            "type": "object",
            "description": "Who may see the field (`read`: absent from other callers' "
            "responses) and who may send it (`write`: 403 for others).",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {"read": {"$ref": "#/$defs/grants"}, "write": {"$ref": "#/$defs/grants"}},
        },
    }  # fmt: skip


def _field_long() -> dict[str, Any]:
    enum_values = {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "minLength": 1},
        "description": "The allowed values of an enum field, in order.",
    }
    return {
        "type": "object",
        "description": "Long form of a field.",
        "additionalProperties": False,
        "required": ["type"],
        "properties": {
            "type": {
                "enum": [t.value for t in FieldType],
                "description": "The field's type.",
            },
            "values": enum_values,
            **_field_options(),
        },
    }


def _enum_shorthand() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "{enum: [a, b], ...}: short for {type: enum, values: [a, b], ...}.",
        "additionalProperties": False,
        "required": ["enum"],
        "properties": {
            "enum": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": {"type": "string", "minLength": 1},
                "description": "The allowed values, in order.",
            },
            **_field_options(),
        },
    }


def _relation() -> dict[str, Any]:
    return {
        "description": "A many_to_one relation: `Entity` (required), `Entity?` (optional), or "
        "the long form, which also declares a many_to_many.",
        "anyOf": [
            _text("Short form: the target entity, `?` for optional.", pattern=_SHORT_RELATION),
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["to"],
                # A many_to_many is a set of links: these keys of a many_to_one do not apply.
                "if": {"required": ["kind"], "properties": {"kind": {"const": "many_to_many"}}},
                "then": {"not": {"anyOf": [{"required": [k]} for k in MANY_TO_ONE_ONLY]}},
                "properties": {
                    "to": _text("The target entity.", pattern=_PASCAL),
                    "kind": {
                        "enum": [k.value for k in RelationKind],
                        "description": "many_to_one (default): a foreign key NAME_id. "
                        "one_to_one: the same, unique (one row per target row). "
                        "many_to_many: an association table; requests and responses carry "
                        "NAME_ids (name the relation in the singular).",
                    },
                    "required": _flag("false: the relation may be empty (default true)."),
                    "on_delete": {
                        "enum": [o.value for o in OnDelete],
                        "description": "When the target row is deleted: restrict (409, "
                        "default), cascade, or set_null (needs required: false).",
                    },
                    "inverse": _text(
                        "The target's read-only collection of these rows, paginated: "
                        "GET /targets/{id}/INVERSE.",
                        pattern=_SNAKE,
                    ),
                    "embed": {
                        **_names(
                            "Fields of the target that read responses carry as NAME: "
                            "{id, ...} beside NAME_id; null when the relation is empty or "
                            "the caller may not read the target (not for many_to_many)."
                        ),
                        "minItems": 1,
                    },
                },
            },
        ],
    }


def _grants() -> dict[str, Any]:
    grant = _text("public, authenticated, owner or role:NAME.", pattern=_GRANT)
    return {
        "description": "One grant or a list of grants; any one suffices.",
        "anyOf": [grant, {"type": "array", "minItems": 1, "uniqueItems": True, "items": grant}],
    }


def _list() -> dict[str, Any]:
    size = {"type": "integer", "minimum": 1, "maximum": 1000}
    return {
        "type": "object",
        "description": "How the list endpoint filters, sorts, searches and pages.",
        "additionalProperties": False,
        "properties": {
            "filter": _or_null(
                _names(
                    "Fields and relations that can be filtered (?name=value), and fields of "
                    "a many_to_one parent as relation.field (?relation__field=value).",
                    pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$",
                )
            ),
            "sort": _or_null(
                _names(
                    "Allowed sort keys; the first is the default order; `-` means descending.",
                    _SORT_KEY,
                )
            ),
            "search": _or_null(_names("Text fields searched by ?q= (case-insensitive substring).")),
            "page_size": _or_null(
                {
                    "type": "object",
                    "description": "Page sizes: default 20, max 100.",
                    "additionalProperties": False,
                    "properties": {
                        "default": {**size, "description": "Items per page without ?limit=."},
                        "max": {**size, "description": "Largest ?limit= allowed."},
                    },
                }
            ),
        },
    }
