"""`soft_delete: true`: the `deleted_at` column, the `restore` grant, and relations to it."""

from __future__ import annotations

import pytest

from backsmith.spec import feature_json_schema
from backsmith.spec.model import Action, GrantKind
from tests.spec.conftest import Fail, Load

jsonschema = pytest.importorskip("jsonschema")


def test_restore_defaults_to_the_grants_of_delete(load: Load) -> None:
    spec = load(
        """\
        feature: desk
        roles: [agent]
        entities:
          Reply:
            soft_delete: true
            fields: {name: str unique}
            access: {delete: "role:agent"}
          Note:
            fields: {text: text}
        """
    )
    reply, note = spec.entities
    assert reply.soft_delete and not note.soft_delete
    assert reply.restore == reply.access[Action.DELETE]
    assert [g.role for g in reply.restore] == ["agent"]
    assert note.restore == ()


def test_restore_has_its_own_grants(load: Load) -> None:
    spec = load(
        """\
        feature: desk
        entities:
          Reply:
            owned: true
            soft_delete: true
            fields: {name: str}
            access: {restore: "role:admin"}
        """
    )
    (reply,) = spec.entities
    assert [g.kind for g in reply.access[Action.DELETE]] == [GrantKind.OWNER, GrantKind.ROLE]
    assert [str(g) for g in reply.restore] == ["role:admin"]


def test_restore_needs_soft_delete(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Reply:
            fields: {name: str}
            access: {restore: authenticated}
        """
    )
    assert failure.where == "feature.yaml:5:14"
    assert "has no soft_delete" in failure.message


def test_restore_grants_are_checked_like_others(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Reply:
            soft_delete: true
            fields: {name: str}
            access: {restore: []}
        """
    )
    assert failure.where == "feature.yaml:6:23"
    assert "`restore` has an empty list of grants" in failure.message


def test_a_field_named_deleted_at_clashes_with_soft_delete(fail: Fail) -> None:
    failure = fail(
        """\
        feature: desk
        entities:
          Reply:
            soft_delete: true
            fields:
              deleted_at: datetime?
        """
    )
    assert failure.where == "feature.yaml:6:7"
    assert "clashes with `soft_delete: true`" in failure.message


@pytest.mark.parametrize("on_delete", ["cascade", "set_null"])
def test_relations_to_a_soft_deleted_entity_restrict(fail: Fail, on_delete: str) -> None:
    failure = fail(
        f"""\
        feature: desk
        entities:
          Reply:
            soft_delete: true
            fields: {{name: str}}
          Use:
            fields: {{day: date}}
            relations:
              reply: {{to: Reply, required: false, on_delete: {on_delete}}}
        """
    )
    assert failure.where == "feature.yaml:9:7"
    assert f"on_delete: {on_delete}, but Reply is soft-deleted" in failure.message
    assert "restrict" in failure.hint


def test_the_schema_knows_soft_delete_and_restore() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())
    entity = {"soft_delete": True, "fields": {"a": "str"}, "access": {"restore": "owner"}}
    assert validator.is_valid({"feature": "desk", "entities": {"T": entity}})
    assert not validator.is_valid(
        {"feature": "desk", "entities": {"T": {**entity, "soft_delete": 1}}}
    )
