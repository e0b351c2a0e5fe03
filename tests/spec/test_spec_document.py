"""The document and its entities: top-level keys, names, duplicates, defaults."""

from __future__ import annotations

from typing import Any

import pytest

from backsmith.spec.model import Action, GrantKind, ListOptions


def test_minimal_document_gets_every_default(load: Any) -> None:
    spec = load(
        """\
        feature: shop
        entities:
          Item:
            fields:
              name: str
        """
    )
    assert spec.feature == "shop"
    assert spec.title is None and spec.description is None
    assert spec.roles == ("admin",)
    (item,) = spec.entities
    assert item.name == "Item" and not item.owned and item.relations == () and item.unique == ()
    assert item.list == ListOptions()
    assert item.list.page_size.default == 20 and item.list.page_size.max == 100
    assert {a: [str(g) for g in grants] for a, grants in item.access.items()} == {
        a: ["authenticated"] for a in Action
    }
    assert item.location is not None and (item.location.line, item.location.column) == (3, 3)
    assert spec.source is not None and spec.source.endswith("feature.yaml")


def test_title_description_roles_plural(load: Any) -> None:
    spec = load(
        """\
        feature: people_directory
        title: People directory
        description: Who works where.
        roles: [hr, admin, manager]
        entities:
          Person:
            plural: people
            description: Someone on the payroll.
            fields:
              name: str
        """
    )
    assert spec.title == "People directory"
    assert spec.description == "Who works where."
    assert spec.roles == ("hr", "admin", "manager")  # admin already declared: not added again
    (person,) = spec.entities
    assert (person.plural, person.description) == ("people", "Someone on the payroll.")


def test_admin_role_is_added_when_missing(load: Any) -> None:
    spec = load(
        """\
        feature: shop
        roles: [clerk]
        entities:
          Item:
            fields: {name: str}
            access: {delete: "role:admin", create: "role:clerk"}
        """
    )
    assert spec.roles == ("admin", "clerk")
    access = spec.entities[0].access
    assert access[Action.DELETE][0].role == "admin"
    assert access[Action.CREATE][0].kind is GrantKind.ROLE


def test_entities_keep_document_order(load: Any) -> None:
    spec = load(
        """\
        feature: shop
        entities:
          Zebra: {fields: {name: str}}
          Apple: {fields: {name: str}}
        """
    )
    assert [e.name for e in spec.entities] == ["Zebra", "Apple"]


def test_anchors_and_merge_keys(load: Any) -> None:
    spec = load(
        """\
        feature: shop
        entities:
          Item:
            fields: &common
              name: str(1..100)
              note: text?
            access: &staff {create: "role:admin", update: "role:admin"}
          Gift:
            fields:
              <<: *common
              note: text(..50)?
              price: decimal
            access: *staff
        """
    )
    item, gift = spec.entities
    assert [f.name for f in gift.fields] == ["name", "note", "price"]
    assert gift.field("note") is not None and gift.field("note").max_length == 50
    assert gift.access == item.access


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [
        (
            "feature: shop\nentites:\n  Item: {fields: {a: str}}\n",
            "2:1",
            "unknown key `entites` in the document",
            "did you mean `entities`?",
        ),
        ("entities:\n  Item: {fields: {a: str}}\n", "1:1", "the document has no `feature`", ""),
        ("feature: shop\n", "1:1", "the document has no `entities`", "add `entities:`"),
        ("feature: shop\nentities: {}\n", "2:11", "the document declares no entities", ""),
        (
            "feature: shop\nentities: [Item]\n",
            "2:11",
            "`entities` must be a mapping, not a list",
            "",
        ),
        ("- feature\n", "1:1", "the document must be a mapping, not a list", ""),
        (
            "feature: Shop\nentities: {}\n",
            "1:10",
            "the feature name `Shop` must be snake_case",
            "`shop`",
        ),
        ("feature: app\nentities: {}\n", "1:10", "the feature name `app` is reserved", ""),
        ("feature: class\nentities: {}\n", "1:10", "`class` is a Python keyword", ""),
        ("feature: 3\nentities: {}\n", "1:10", "`feature` must be text, not a number", ""),
        ("feature: shop\ntitle: 5\nentities: {}\n", "2:8", "`title` must be text", ""),
        (
            "feature: shop\nroles: [Clerk]\nentities: {}\n",
            "2:9",
            "the role `Clerk` must be snake_case",
            "`clerk`",
        ),
        (
            "feature: shop\nroles: [a, a]\nentities: {}\n",
            "2:12",
            "the role `a` is listed twice",
            "",
        ),
        (
            "feature: shop\nroles: clerk\nentities: {}\n",
            "2:8",
            "`roles` must be a list, not text",
            "",
        ),
        (
            "feature: shop\nentities:\n  item: {fields: {a: str}}\n",
            "3:3",
            "entity name `item` must be PascalCase",
            "`Item`",
        ),
        (
            "feature: shop\nentities:\n  line_item: {fields: {a: str}}\n",
            "3:3",
            "must be PascalCase",
            "`LineItem`",
        ),
        (
            "feature: shop\nentities:\n  User: {fields: {a: str}}\n",
            "3:3",
            "entity name `User` is reserved",
            "",
        ),
        ("feature: shop\nentities:\n  Page: {fields: {a: str}}\n", "3:3", "`Page` is reserved", ""),
        (
            "feature: shop\nentities:\n  null: {fields: {a: str}}\n",
            "3:3",
            "a key in `entities` is empty",
            "",
        ),
        (
            "feature: shop\nentities:\n  None: {fields: {a: str}}\n",
            "3:3",
            "it is a Python keyword",
            "",
        ),
        ("feature: shop\nentities:\n  Item:\n", "3:8", "entity `Item` is empty", "fields"),
        (
            "feature: shop\nentities:\n  Item: {feilds: {a: str}}\n",
            "3:10",
            "unknown key `feilds` in entity `Item`",
            "did you mean `fields`?",
        ),
        (
            "feature: shop\nentities:\n  Item: {owned: true}\n",
            "3:9",
            "entity `Item` has no `fields`",
            "",
        ),
        (
            "feature: shop\nentities:\n  Item: {fields: {}}\n",
            "3:18",
            "entity `Item` has no fields",
            "",
        ),
        (
            "feature: shop\nentities:\n  Item: {fields: {a: str}, owned: sure}\n",
            "3:35",
            "`owned` must be true or false, not text",
            "",
        ),
        (
            "feature: shop\nentities:\n  Item: {fields: {a: str}, description: [x]}\n",
            "3:41",
            "`description` must be text, not a list",
            "",
        ),
        (
            "feature: shop\nentities:\n  Item: {fields: {a: str}, plural: Items}\n",
            "3:36",
            "the plural `Items` must be snake_case",
            "",
        ),
        (
            "feature: shop\nentities:\n  Item: {fields: {a: str}}\n"
            "  Thing: {fields: {a: str}, plural: items}\n",
            "4:3",
            "entities `Item` and `Thing` share the plural `items`",
            "set `plural:`",
        ),
        (
            "feature: shop\nentities:\n  HttpLog: {fields: {a: str}}\n"
            "  HTTPLog: {fields: {a: str}}\n",
            "4:3",
            "entities `HttpLog` and `HTTPLog` both become `http_log`",
            "",
        ),
    ],
)
def test_document_mistakes(fail: Any, text: str, where: str, message: str, hint: str) -> None:
    failure = fail(text)
    assert failure.where == f"feature.yaml:{where}", failure.error
    assert message in failure.message
    assert hint in failure.hint


FIELD_NAME = "feature: shop\nentities:\n  Item:\n    fields:\n      {name}: str\n"


@pytest.mark.parametrize(
    ("name", "message", "hint"),
    [
        ("startsAt", "field name `startsAt` must be snake_case", "`starts_at`"),
        ("Name", "must be snake_case", "`name`"),
        ("a__b", "must be snake_case", "`a_b`"),
        ("name_", "must be snake_case", "`name`"),
        ("2nd", "must be snake_case", ""),
        ("class", "field name `class` is a Python keyword", "another name"),
        ("id", "field name `id` is reserved: every entity already has it", ""),
        ("created_at", "is reserved: every entity already has it", ""),
        ("updated_at", "is reserved", ""),
        ("owner", "is reserved: use `owned: true`", ""),
        ("owner_id", "is reserved: use `owned: true`", ""),
        ("q", "is reserved: it is the search parameter", ""),
        ("limit", "is reserved: it is a pagination parameter", ""),
        ("cursor", "is reserved", ""),
        ("sort", "is reserved: it is the sort parameter", ""),
        ("metadata", "is reserved: SQLAlchemy", ""),
        ("registry", "is reserved: SQLAlchemy", ""),
        ("model_name", "is reserved: Pydantic reserves the `model_` prefix", ""),
    ],
)
def test_field_name_mistakes(fail: Any, name: str, message: str, hint: str) -> None:
    failure = fail(FIELD_NAME.format(name=name))
    assert failure.where == "feature.yaml:5:7"
    assert message in failure.message
    assert hint in failure.hint


def test_duplicate_keys_are_refused(fail: Any) -> None:
    failure = fail(
        """\
        feature: shop
        entities:
          Item:
            fields:
              name: str
              price: int
              name: text
        """
    )
    assert failure.where == "feature.yaml:7:7"
    assert (
        "`name` appears twice in the fields of entity `Item` (first at line 5)" in failure.message
    )
    assert "silently" in failure.hint


def test_yaml_booleans_as_keys_say_to_quote(fail: Any) -> None:
    failure = fail("feature: shop\nentities:\n  Item:\n    fields:\n      on: bool\n")
    assert failure.where == "feature.yaml:5:7"
    assert "a key in the fields of entity `Item` is a boolean, not a name" in failure.message
    assert 'quote it: "on"' in failure.hint
