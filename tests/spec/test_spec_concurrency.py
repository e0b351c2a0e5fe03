"""`versioned: true`: optimistic concurrency, and the `version` column it claims."""

from __future__ import annotations

import pytest

from backsmith.spec import feature_json_schema
from tests.spec.conftest import Fail, Load

jsonschema = pytest.importorskip("jsonschema")


def test_versioned_is_off_unless_asked(load: Load) -> None:
    spec = load(
        """\
        feature: desk
        entities:
          Ticket:
            versioned: true
            fields: {title: str}
          Note:
            fields: {text: text}
        """
    )
    assert [e.versioned for e in spec.entities] == [True, False]


def test_versioned_must_be_a_boolean(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Ticket:
            versioned: "yes"
            fields: {title: str}
        """
    )
    assert failure.where == "feature.yaml:4:16"
    assert "`versioned` must be true or false" in failure.message


def test_a_field_named_version_clashes_with_versioned(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Ticket:
            versioned: true
            fields:
              title: str
              version: int
        """
    )
    assert failure.where == "feature.yaml:7:7"
    assert "clashes with `versioned: true`" in failure.message
    assert "rename the field `version`" in failure.hint


def test_a_relation_named_version_clashes_with_versioned(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Release:
            fields: {name: str}
          Ticket:
            versioned: true
            fields: {title: str}
            relations:
              version: Release?
        """
    )
    assert failure.where == "feature.yaml:9:7"
    assert "relation `version`" in failure.message


def test_a_field_named_version_is_fine_without_versioned(load: Load) -> None:
    spec = load(
        """\
        feature: desk
        entities:
          Release:
            fields: {version: str}
        """
    )
    assert spec.entities[0].field("version") is not None


def test_the_schema_knows_versioned() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())
    good = {"feature": "desk", "entities": {"T": {"versioned": True, "fields": {"a": "str"}}}}
    bad = {"feature": "desk", "entities": {"T": {"versioned": "yes", "fields": {"a": "str"}}}}
    assert validator.is_valid(good)
    assert not validator.is_valid(bad)
