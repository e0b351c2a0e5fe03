"""The JSON Schema of the document: valid for draft 2020-12, agrees with the parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from backsmith.spec import feature_json_schema
from backsmith.spec.load import find_block

# jsonschema is a test-only dependency; it belongs in the `dev` extra of pyproject.toml.
jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.*"))


def document_data(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    block = find_block(text, str(path), is_yaml=path.suffix in (".yaml", ".yml"))
    return yaml.safe_load(block.text)


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = feature_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_json_and_documented() -> None:
    schema = feature_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), f"$defs.{name} has no description"
    for key, prop in schema["properties"].items():
        assert prop.get("description"), f"{key} has no description"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_valid(validator: Any, path: Path) -> None:
    validator.validate(document_data(path))


VALID = [
    {"feature": "a", "entities": {"A": {"fields": {"x": "str(1..100)?  unique index"}}}},
    {"feature": "a", "entities": {"A": {"fields": {"x": "int(1..5) = 3"}}}},
    {"feature": "a", "entities": {"A": {"fields": {"x": "decimal(8,2)"}}}},
    {"feature": "a", "entities": {"A": {"fields": {"x": 'json = {"a": 1}'}}}},
    {"feature": "a", "entities": {"A": {"fields": {"x": {"enum": ["p", "q"], "default": "p"}}}}},
    {
        "feature": "a",
        "roles": None,
        "entities": {
            "A": {
                "fields": {"x": {"type": "decimal", "min": "0.50", "precision": 4, "scale": 2}},
                "relations": None,
                "access": {"read": "role: clerk", "list": ["public", "owner"]},
                "list": {"sort": ["-x"], "page_size": None},
            },
            "B": {"fields": {"y": "str"}, "relations": {"a": "A?", "a2": {"to": "A"}}},
        },
    },
]


@pytest.mark.parametrize("document", VALID)
def test_valid_documents(validator: Any, document: Any) -> None:
    validator.validate(document)


SHORT_FORMS = [
    "str", "str(1..100)", "str(..500)?", "str(3..)", "str(100)", "text(..5000)?", "int(0..)",
    "int(-5..-1)", "bigint(..9000000000)", "float(-1.5..1.5)", "decimal(8,2)", "decimal(0..)",
    "str unique", "str? unique index", "int(1..5) = 3", 'str = "a = b"', "bool = no",
    "date = 2024-05-31", 'time = "09:30"', "json = []", "email? unique", "url?",
]  # fmt: skip


@pytest.mark.parametrize("short", SHORT_FORMS)
def test_short_forms_match_the_schema_pattern(validator: Any, short: str) -> None:
    validator.validate({"feature": "a", "entities": {"A": {"fields": {"x": short}}}})


INVALID = [
    ({"entities": {"A": {"fields": {"x": "str"}}}}, "'feature' is a required property"),
    ({"feature": "a", "entities": {}, "extra": 1}, "Additional properties"),
    ({"feature": "A", "entities": {"A": {"fields": {"x": "str"}}}}, "does not match"),
    ({"feature": "a", "entities": {"a": {"fields": {"x": "str"}}}}, "does not match"),
    ({"feature": "a", "entities": {"A": {"fields": {}}}}, "should be non-empty"),
    ({"feature": "a", "entities": {"A": {"fields": {"x": "string"}}}}, "is not valid"),
    (
        {"feature": "a", "entities": {"A": {"fields": {"x": {"type": "str", "maxlen": 3}}}}},
        "is not valid",
    ),
    (
        {"feature": "a", "entities": {"A": {"fields": {"x": "str"}, "acess": {}}}},
        "Additional properties",
    ),
    (
        {"feature": "a", "entities": {"A": {"fields": {"x": "str"}, "access": {"read": "anyone"}}}},
        "is not valid",
    ),
    (
        {"feature": "a", "entities": {"A": {"fields": {"x": "str"}, "access": {"read": []}}}},
        "is not valid",
    ),
    (
        {
            "feature": "a",
            "entities": {
                "A": {
                    "fields": {"x": "str"},
                    "relations": {"b": {"to": "B", "kind": "one_to_many"}},
                }
            },
        },
        "is not valid",
    ),
    (
        {
            "feature": "a",
            "entities": {"A": {"fields": {"x": "str"}, "list": {"page_size": {"max": 5000}}}},
        },
        "is not valid",
    ),
]


@pytest.mark.parametrize(("document", "error"), INVALID)
def test_invalid_documents(validator: Any, document: Any, error: str) -> None:
    with pytest.raises(jsonschema.ValidationError) as info:
        validator.validate(document)
    assert error in info.value.message
