"""Fields: the short form, the long form, `{enum: [...]}`, defaults and every field check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from backsmith.spec.model import Field, FieldType

ONE_FIELD = """\
feature: shop
entities:
  Item:
    fields:
      {line}
"""


def only_field(load: Any, line: str) -> Field:
    field: Field = load(ONE_FIELD.format(line=line)).entities[0].fields[0]
    return field


# ----------------------------------------------------------------------------- accepted


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("f: str", {"type": FieldType.STR, "nullable": False, "has_default": False}),
        ("f: str(1..100)", {"min_length": 1, "max_length": 100}),
        ("f: str(..500)?", {"min_length": None, "max_length": 500, "nullable": True}),
        ("f: str(3..)", {"min_length": 3, "max_length": None}),
        ("f: str(100)", {"max_length": 100}),
        ("f: text(..5000)", {"type": FieldType.TEXT, "max_length": 5000}),
        ("f: int(0..)", {"min": 0, "max": None}),
        ("f: int(-5..-1)", {"min": -5, "max": -1}),
        ("f: bigint(..9000000000)", {"type": FieldType.BIGINT, "max": 9_000_000_000}),
        ("f: float(-1.5..1.5)", {"min": -1.5, "max": 1.5}),
        ("f: float(0..1)", {"min": 0.0, "max": 1.0}),
        ("f: decimal(8,2)", {"precision": 8, "scale": 2}),
        ("f: decimal(0..)", {"min": Decimal(0), "precision": 12, "scale": 2}),
        ("f: decimal", {"precision": 12, "scale": 2}),
        ("f: str unique", {"unique": True, "index": False}),
        ("f: str? unique index", {"unique": True, "index": True, "nullable": True}),
        ("f: str(1..10)?unique", {"unique": True, "nullable": True, "max_length": 10}),
        ("f: int(1..5) = 3", {"default": 3, "has_default": True, "nullable": False}),
        ('f: str = "a = b"', {"default": "a = b"}),
        ("f: email", {"type": FieldType.EMAIL}),
        ("f: url?", {"type": FieldType.URL, "nullable": True}),
        ("f: {enum: [a, b]}", {"type": FieldType.ENUM, "values": ("a", "b")}),
        ("f: {type: enum, values: [x, y], default: y}", {"values": ("x", "y"), "default": "y"}),
        ("f: {type: decimal, precision: 1}", {"precision": 1, "scale": 1}),
        ("f: {type: decimal, scale: 0}", {"precision": 12, "scale": 0}),
        ("f: {type: str, required: false}", {"nullable": True}),
        ("f: {type: int, default: null, required: false}", {"has_default": False}),
    ],
)
def test_field_forms(load: Any, line: str, expected: dict[str, Any]) -> None:
    field = only_field(load, line)
    assert {key: getattr(field, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("line", "default"),
    [
        ("f: int = 3", 3),
        ("f: bigint = 9000000000", 9_000_000_000),
        ("f: float = 2", 2.0),
        ("f: float = 0.25", 0.25),
        ("f: decimal = 9.99", Decimal("9.99")),
        ('f: decimal = "12.50"', Decimal("12.50")),
        ("f: bool = true", True),
        ("f: bool = no", False),
        ('f: str = "x"', "x"),
        ("f: str = plain words", "plain words"),
        ('f: text = ""', ""),
        ("f: date = 2024-05-31", dt.date(2024, 5, 31)),
        ('f: date = "2024-05-31"', dt.date(2024, 5, 31)),
        (
            "f: datetime = 2024-05-31T09:30:00Z",
            dt.datetime(2024, 5, 31, 9, 30, tzinfo=dt.UTC),
        ),
        ('f: time = "09:30"', dt.time(9, 30)),
        (
            'f: uuid = "123E4567-E89B-12D3-A456-426614174000"',
            "123e4567-e89b-12d3-a456-426614174000",
        ),
        ('f: email = "desk@example.com"', "desk@example.com"),
        ('f: url = "https://example.com/a"', "https://example.com/a"),
        ("f: 'json = {a: [1, 2], b: null}'", {"a": [1, 2], "b": None}),
        ("f: json = []", []),
    ],
)
def test_defaults_become_python_values(load: Any, line: str, default: object) -> None:
    field = only_field(load, line)
    assert field.has_default
    assert field.default == default
    assert type(field.default) is type(default)


def test_long_form_with_every_key(load: Any) -> None:
    spec = load(
        """\
        feature: shop
        entities:
          Item:
            fields:
              code:
                type: str
                required: true
                default: AB-1
                unique: true
                index: true
                min_length: 2
                max_length: 10
                pattern: "^[A-Z]+-[0-9]+$"
                description: The code on the label
                example: ZZ-9
                immutable: true
              price: {type: decimal, precision: 8, scale: 2, min: 0, max: 99999.99}
              secret: {type: str, write_only: true}
              hits: {type: int, read_only: true, default: 0}
        """
    )
    code, price, secret, hits = spec.entities[0].fields
    assert (code.default, code.example, code.description) == (
        "AB-1",
        "ZZ-9",
        "The code on the label",
    )
    assert (code.unique, code.index, code.immutable, code.pattern) == (
        True,
        True,
        True,
        "^[A-Z]+-[0-9]+$",
    )
    assert (code.min_length, code.max_length, code.nullable) == (2, 10, False)
    assert (price.min, price.max, price.precision, price.scale) == (
        Decimal(0),
        Decimal("99999.99"),
        8,
        2,
    )
    assert secret.write_only and not secret.readable
    assert hits.read_only and not hits.required_on_create and hits.default == 0


def test_field_location_is_the_name(load: Any) -> None:
    field = only_field(load, "price: int")
    assert field.location is not None
    assert (field.location.line, field.location.column) == (5, 7)


# ----------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("line", "column", "message", "hint"),
    [
        ("f: datatime", 10, "unknown type `datatime`", "did you mean `datetime`?"),
        ("f: {type: strng}", 17, "unknown type `strng`", "`str`"),
        ("f: str(1-5)", 13, "cannot read the arguments `(1-5)`", "(1..100)"),
        ("f: int(5..1)", 13, "`f`: min 5 is greater than max 1", ""),
        ("f: str(-1..5)", 13, "min_length -1 is negative", ""),
        ("f: str(..0)", 13, "max_length must be at least 1", ""),
        ("f: {type: str, min_length: 3, max_length: 2}", 34, "min_length 3 is greater", ""),
        ("f: bool(1..2)", 14, "`bool` takes no arguments", "ranges are for"),
        ("f: int(5)", 13, "a single number is a maximum length", "(5..) or (..5)"),
        ("f: int(1.5..)", 13, "`f`: min 1.5 must be a whole number", ""),
        ("f: {type: int, max_length: 5}", 34, "`max_length` does not apply", "min and max"),
        ("f: {type: str, min: 1}", 27, "`min` does not apply to the str field", "min_length"),
        ("f: int(0..3000000000)", 13, "does not fit in a 32-bit int", "bigint"),
        ("f: {type: int, min: 3000000000}", 27, "does not fit in a 32-bit int", "bigint"),
        ("f: bigint(..10000000000000000000)", 16, "does not fit in a 64-bit bigint", ""),
        ('f: {type: str, pattern: "[a-"}', 31, "the pattern of `f` is not a regex", ""),
        ('f: {type: int, pattern: "^a$"}', 31, "`pattern` does not apply", "str, text"),
        ("f: {type: int, precision: 5}", 33, "`precision` does not apply", "decimal"),
        ("f: {type: decimal, precision: 40}", 37, "precision 40 must be between 1 and 38", ""),
        ("f: {type: decimal, precision: 4, scale: 5}", 47, "scale 5 must be between 0", ""),
        (
            "f: {type: decimal, precision: 4, scale: 2, max: 1000}",
            55,
            "`f`: max 1000 does not fit decimal(4,2)",
            "at most 2 digits before the point",
        ),
        ("f: decimal(8,2) = 1.234", 25, "has more than 2 digits after the point", ""),
        ("f: int = abc", 16, "`f`: the default must be a number, not text", ""),
        ("f: int(1..5) = 9", 22, "`f`: the default 9 is above the maximum 5", ""),
        ("f: {type: int, min: 1, default: 0}", 39, "0 is below the minimum 1", ""),
        ('f: str(1..5) = "toolong"', 22, "is longer than max_length 5", ""),
        ('f: {type: str, pattern: "^[a-z]+$", default: "ABC"}', 52, "does not match", ""),
        ('f: email = "not-an-email"', 18, "is not an email address", ""),
        ('f: url = "ftp://x.org"', 16, "is not an http(s) URL", ""),
        ('f: uuid = "nope"', 17, "must be a UUID", ""),
        ('f: date = "2024-13-01"', 17, "must be a date", ""),
        ("f: {type: float, default: .nan}", 33, "must be a finite number", ""),
        ("f: {type: json, default: 2024-01-01}", 32, "is not JSON", "quote dates"),
        ("f: {type: int, default: null}", 31, "is null but the field is required", "optional"),
        ("f: {type: str, example: 5}", 31, "`f`: the example must be text, not a number", ""),
        ("f: str = yes", 16, "must be text, not a boolean", 'quote it: "yes"'),
        ("f: time = 10:30", 17, "must be a time", "YAML reads 10:30 as a number; quote it"),
        ("f: int =", 15, "has `=` but no default", ""),
        ("f: {enum: [a, b], default: c}", 34, "`c` is not one of the values", "values: a, b"),
        ("f: {enum: [draft, done], default: dnoe}", 41, "is not one of", "`done`"),
        ("f: enum", 10, "the enum field `f` has no values", "{enum: [a, b]}"),
        ("f: {enum: []}", 17, "the enum field `f` has no values", ""),
        ("f: {enum: [a, b, a]}", 24, "the enum value `a` is listed twice", ""),
        ("f: {enum: [yes, no]}", 18, "enum values must be text, not a boolean", 'quote it: "yes"'),
        ("f: {enum: [1, 2]}", 18, "enum values must be text, not a number", 'quote it: "1"'),
        ('f: {enum: [ok, ""]}', 22, "an enum value is empty", ""),
        ('f: {enum: ["!!"]}', 18, "has no letters or digits", ""),
        ("f: {enum: [in-progress, in_progress]}", 31, "both become the Python name", ""),
        ("f: {enum: [a], type: enum}", 28, "has both `enum` and `type`", ""),
        ("f: {type: str, values: [a]}", 30, "`values` does not apply", "enum"),
        (
            "f: {type: int, read_only: true, write_only: true, default: 1}",
            51,
            "cannot be both read_only and write_only",
            "",
        ),
        (
            "f: {type: int, read_only: true, immutable: true, default: 1}",
            50,
            "is read_only, so immutable says nothing more",
            "",
        ),
        ("f: {type: int, read_only: true}", 33, "the server could never fill it", "default"),
        (
            "f: {type: int, read_only: true, unique: true, default: 1}",
            47,
            "every row would get the same value",
            "",
        ),
        ("f: json unique", 15, "the json field `f` cannot be unique", ""),
        ("f: {type: json, index: true}", 30, "the json field `f` cannot have an index", ""),
        ("f: {type: str, maxlength: 3}", 22, "unknown key `maxlength`", "`max_length`"),
        ("f: str uniqe", 14, "unexpected `uniqe`", "did you mean `unique`?"),
        ("f: str unique unique", 21, "`unique` is given twice", ""),
        ("f: str unique?", 14, "unexpected `unique?`", "TYPE[(ARGS)][?]"),
        ("f: {type: str, unique: please}", 30, "`unique` must be true or false, not text", ""),
        ("f: {type: str, description: 5}", 35, "`description` must be text", ""),
        ("f: {required: false}", 10, "field `f` has no `type`", "type: str"),
        ("f: {type: str(1..5)}", 17, "unknown type `str(1..5)`", "give the type alone"),
        ("f: [str]", 10, "must be a type or a mapping, not a list", ""),
        ("f: 5", 10, "must be a type or a mapping, not a number", ""),
        ("f:", 9, "must be a type or a mapping, not empty", ""),
        ("f: (1..5)", 10, "cannot read the field `f`", "TYPE[(ARGS)]"),
        ('f: {type: str, pattern: "a{99999999999}"}', 31, "is not a regex", ""),
        (
            "f: Item?",
            10,
            "unknown type `Item`",
            "`Item` is an entity: declare `f` under `relations:`",
        ),
        ("f: {to: Item}", 11, "unknown key `to` in field `f`", "looks like a relation"),
    ],
)
def test_field_mistakes(field_fails: Any, line: str, column: int, message: str, hint: str) -> None:
    failure = field_fails(line)
    assert failure.where == f"feature.yaml:5:{column}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_yaml_error_inside_a_short_form_default_points_into_it(field_fails: Any) -> None:
    # The value is quoted (a plain scalar cannot hold `: `); the error still points inside it.
    failure = field_fails("f: 'json = {a: [1, 2}'")
    assert failure.where == "feature.yaml:5:27"  # the `}` that should be `]`
    assert "YAML syntax error" in failure.message
