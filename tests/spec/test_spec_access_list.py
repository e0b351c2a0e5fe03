"""Access rules (grants and their defaults) and list options."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from backsmith.spec.model import Action, PageSize, SortKey


def grants(entity: Any) -> dict[str, list[str]]:
    return {action.value: [str(g) for g in entity.access[action]] for action in Action}


OWNED_DEFAULTS = {
    "list": ["owner", "role:admin"],
    "read": ["owner", "role:admin"],
    "create": ["authenticated"],
    "update": ["owner", "role:admin"],
    "delete": ["owner", "role:admin"],
}


def test_access_defaults(load: Any) -> None:
    spec = load(
        """\
        feature: notes
        entities:
          Public:
            fields: {text: str}
          Note:
            owned: true
            fields: {text: str}
        """
    )
    public, note = spec.entities
    assert grants(public) == {action.value: ["authenticated"] for action in Action}
    assert grants(note) == OWNED_DEFAULTS


def test_given_actions_replace_only_their_default(load: Any) -> None:
    spec = load(
        """\
        feature: notes
        roles: [editor]
        entities:
          Note:
            owned: true
            fields: {text: str}
            access:
              read: public
              update: [owner, "role:editor"]
              delete: "role: editor"
        """
    )
    assert grants(spec.entities[0]) == {
        **OWNED_DEFAULTS,
        "read": ["public"],
        "update": ["owner", "role:editor"],
        "delete": ["role:editor"],
    }


ACCESS = """\
feature: notes
roles: [editor]
entities:
  Note:
    owned: {owned}
    fields: {{text: str}}
    access:
      {rule}
"""


@pytest.mark.parametrize(
    ("owned", "rule", "column", "message", "hint"),
    [
        ("true", "edit: public", 7, "unknown key `edit` in `access`", "list, read, create"),
        ("true", "reed: public", 7, "unknown key `reed`", "did you mean `read`?"),
        (
            "true",
            "read: everyone",
            13,
            "unknown grant `everyone`",
            "public, authenticated, owner or role:NAME",
        ),
        ("true", "read: publc", 13, "unknown grant `publc`", "did you mean `public`?"),
        (
            "true",
            'read: "role:auditor"',
            13,
            "the role `auditor` is not declared in `roles`",
            "declare it: roles: [editor, auditor]",
        ),
        (
            "true",
            'read: "role:editr"',
            13,
            "the role `editr` is not declared",
            "did you mean `editor`?",
        ),
        (
            "false",
            "read: owner",
            13,
            "`owner` is only for owned entities and Note is not owned",
            "owned: true",
        ),
        ("true", "create: owner", 15, "`owner` cannot grant `create`", "authenticated"),
        ("true", "create: [authenticated, owner]", 31, "`owner` cannot grant `create`", ""),
        ("true", "create: public", 15, "`create` of Note cannot be public", "use authenticated"),
        ("true", "read: []", 13, "`read` has an empty list of grants", ""),
        ("true", "read: [owner, owner]", 21, "the grant `owner` is listed twice", ""),
        ("true", "read: [role: editor]", 14, "a grant must be text", '"role:admin"'),
        ("true", "read: true", 13, "a grant must be text, not a boolean", ""),
    ],
)
def test_access_mistakes(
    fail: Any, owned: str, rule: str, column: int, message: str, hint: str
) -> None:
    failure = fail(ACCESS.format(owned=owned, rule=rule))
    assert failure.where == f"feature.yaml:8:{column}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_access_must_be_a_mapping(fail: Any) -> None:
    failure = fail("feature: n\nentities:\n  Note:\n    fields: {a: str}\n    access: public\n")
    assert failure.where == "feature.yaml:5:13"
    assert "`access` must be a mapping, not text" in failure.message


# ----------------------------------------------------------------------------- list

LIST = """\
feature: clinic
entities:
  Doctor: {{fields: {{name: str}}}}
  Visit:
    fields:
      day: date
      reason: text?
      rating: int?
      notes: json?
      secret: {{type: str, write_only: true}}
    relations: {{doctor: Doctor}}
    list:
      {option}
"""


def test_list_options(load: Any) -> None:
    spec = load(
        LIST.format(
            option="filter: [day, doctor_id, rating]\n"
            "      sort: [-day, doctor, id, -created_at, updated_at]\n"
            "      search: [reason]\n"
            "      page_size: {default: 50, max: 500}"
        )
    )
    options = spec.entity("Visit").list
    assert options.filter == ("day", "doctor", "rating")
    assert [key.model_copy(update={"location": None}) for key in options.sort] == [
        SortKey(name="day", descending=True),
        SortKey(name="doctor"),
        SortKey(name="id"),
        SortKey(name="created_at", descending=True),
        SortKey(name="updated_at"),
    ]
    assert all(key.location is not None for key in options.sort)  # each says where it is
    assert [str(key) for key in options.sort] == [
        "-day",
        "doctor",
        "id",
        "-created_at",
        "updated_at",
    ]
    assert options.search == ("reason",)
    assert options.page_size == PageSize(default=50, max=500)


@pytest.mark.parametrize(
    ("option", "page_size"),
    [
        ("page_size: {max: 10}", PageSize(default=10, max=10)),
        ("page_size: {default: 5}", PageSize(default=5, max=100)),
        ("page_size: {max: 1000}", PageSize(default=20, max=1000)),
        ("filter: [day]", PageSize()),
    ],
)
def test_page_size_defaults(load: Any, option: str, page_size: PageSize) -> None:
    assert load(LIST.format(option=option)).entity("Visit").list.page_size == page_size


@pytest.mark.parametrize(
    ("option", "column", "message", "hint"),
    [
        ("filters: [day]", 7, "unknown key `filters` in `list`", "did you mean `filter`?"),
        (
            "filter: [dya]",
            16,
            "`list.filter` names `dya`, which is not a field or relation",
            "`day`",
        ),
        ("filter: [notes]", 16, "`notes` is a json field and cannot be filtered", ""),
        ("filter: [secret]", 16, "`secret` is write_only and cannot be filtered", ""),
        ("filter: [id]", 16, "`list.filter` names `id`", ""),
        ("filter: [day, day]", 21, "`day` is listed twice in `list.filter`", ""),
        ("filter: day", 15, "`list.filter` must be a list, not text", ""),
        ("sort: [-dya]", 14, "`list.sort` names `dya`", "`day`"),
        ("sort: [notes]", 14, "`notes` is a json field and cannot be sorted", ""),
        ("sort: [secret]", 14, "`secret` is write_only and cannot be sorted", ""),
        ("sort: [day, -day]", 19, "`day` is listed twice in `list.sort`", ""),
        ("sort: [doctor, doctor_id]", 22, "`doctor` is listed twice in `list.sort`", ""),
        (
            "search: [rating]",
            16,
            "`rating` is a int field; search works on str, text",
            "list.filter",
        ),
        ("search: [reasn]", 16, "`list.search` names `reasn`", "`reason`"),
        ("search: [secret]", 16, "`secret` is write_only and cannot be searched", ""),
        (
            "page_size: {default: 200}",
            28,
            "`page_size.default` 200 must be between 1 and 100",
            "raise page_size.max",
        ),
        ("page_size: {default: 0}", 28, "`page_size.default` 0 must be between 1 and 100", ""),
        ("page_size: {max: 5000}", 24, "`page_size.max` 5000 must be between 1 and 1000", ""),
        (
            "page_size: {max: 10, default: 20}",
            37,
            "`page_size.default` 20 must be between 1 and 10",
            "",
        ),
        ("page_size: {max: ten}", 24, "`page_size.max` must be a whole number, not text", ""),
        ("page_size: {size: 10}", 19, "unknown key `size` in `page_size`", "default, max"),
    ],
)
def test_list_mistakes(fail: Any, option: str, column: int, message: str, hint: str) -> None:
    failure = fail(LIST.format(option=option))
    assert failure.where == f"feature.yaml:13:{column}", failure.error
    assert message in failure.message
    assert hint in failure.hint


# ------------------------------------------------------------------------ field access

FIELD_ACCESS = """\
feature: staff
roles: [hr]
entities:
  Employee:
    owned: true
    fields:
      name: str
      salary: {field}
{extra}
"""


def test_field_access_reads_its_grants(load: Any) -> None:
    spec = load(
        FIELD_ACCESS.format(
            field='{type: int, required: false, access: {read: [owner, "role:hr"], '
            'write: "role:hr"}}',
            extra="",
        )
    )
    employee = spec.entities[0]
    salary = employee.field("salary")
    assert [str(g) for g in salary.read_access] == ["owner", "role:hr"]
    assert [str(g) for g in salary.write_access] == ["role:hr"]
    assert salary.guarded
    assert not employee.field("name").guarded
    assert employee.field("name").read_access == employee.field("name").write_access == ()


@pytest.mark.parametrize(
    ("field", "extra", "where", "message", "hint"),
    [
        (
            "{type: int, access: {see: public}}",
            "",
            "8:36",
            "unknown key `see` in `access` of field `salary`",
            "read, write",
        ),
        ("{type: int, access: {}}", "", "8:35", "`access` of field `salary` is empty", "read:"),
        (
            '{type: int, access: {read: "role:boss"}}',
            "",
            "8:42",
            "the role `boss` is not declared in `roles`",
            "declare it",
        ),
        (
            "{type: int, write_only: true, access: {read: owner}}",
            "",
            "8:54",
            "`salary` is write_only: no one sees it, so `read` says nothing",
            "remove write_only",
        ),
        (
            '{type: int, default: 1, read_only: true, access: {write: "role:hr"}}',
            "",
            "8:65",
            "`salary` is read_only: no client sets it, so `write` says nothing",
            "",
        ),
        (
            '{type: int, access: {write: "role:hr"}}',
            "",
            "8:36",
            "`salary` is required, so a caller who may not set it could never create a row",
            "give it a default",
        ),
        (
            '{type: int, access: {read: "role:hr"}}',
            "    list: {sort: [salary]}",
            "9:19",
            "`salary` has a read rule and cannot be sorted",
            "reveal its value",
        ),
        (
            '{type: int, access: {read: "role:hr"}}',
            "    list: {filter: [salary]}",
            "9:21",
            "`salary` has a read rule and cannot be filtered",
            "",
        ),
        (
            '{enum: [a, b], default: a, access: {read: "role:hr"}}',
            "    transitions: {salary: {a: b}}",
            "9:19",
            "`salary` has a read rule: a refused move's 409 names the current value",
            "",
        ),
    ],
)
def test_field_access_mistakes(
    fail: Any, field: str, extra: str, where: str, message: str, hint: str
) -> None:
    failure = fail(FIELD_ACCESS.format(field=field, extra=extra))
    assert failure.where == f"feature.yaml:{where}", failure.error
    assert message in failure.message
    assert hint in failure.hint


def test_a_field_with_a_read_rule_cannot_be_summed_or_filtered_from_children(fail: Any) -> None:
    """A sum, or a filter on a parent's field, would reveal it to callers who may not see it."""
    summed = fail(
        """\
        feature: staff
        roles: [hr]
        entities:
          Team:
            fields: {name: str}
            computed: {payroll: {sum: Employee.salary}}
          Employee:
            fields:
              salary: {type: int, access: {read: "role:hr"}}
            relations: {team: Team}
        """
    )
    assert "sums `Employee.salary`, which is not a number every reader may see" in summed.message
    across = fail(
        """\
        feature: staff
        roles: [hr]
        entities:
          Boss:
            fields:
              salary: {type: int, access: {read: "role:hr"}}
          Employee:
            fields: {name: str}
            relations: {boss: Boss}
            list: {filter: [boss.salary]}
        """
    )
    assert "names `boss.salary`, which cannot be filtered" in across.message
    assert across.where == "feature.yaml:10:21"


# ----------------------------------------------------------------------------- tenants


def test_tenant_entities_may_point_at_shared_ones(load: Any) -> None:
    spec = load(
        """\
        feature: crm
        entities:
          Country: {fields: {name: str}}
          Account:
            tenant: true
            fields: {name: str unique}
            relations: {country: Country}
        """
    )
    country, account = spec.entities
    assert (country.tenant, account.tenant) == (False, True)


@pytest.mark.parametrize(
    ("document", "where", "message", "hint"),
    [
        (
            """\
            feature: crm
            entities:
              Account:
                tenant: true
                fields: {name: str}
                access: {read: public}
            """,
            "6:20",
            "Account's rows belong to tenants, and an anonymous caller belongs to none",
            "use authenticated",
        ),
        (
            """\
            feature: crm
            entities:
              Account:
                tenant: true
                fields: {name: str}
              Country:
                fields: {name: str}
                relations: {biggest: Account}
            """,
            "8:17",
            "Country is shared by every tenant, so its relation `biggest` cannot point at Account",
            "add `tenant: true` to Country",
        ),
        (
            """\
            feature: crm
            entities:
              Country:
                fields: {name: str}
                computed: {accounts: {count: Account}}
              Account:
                tenant: true
                fields: {name: str}
                relations: {country: Country}
            """,
            "5:16",
            "its computed field `accounts` cannot count the rows of Account",
            "add `tenant: true` to Country",
        ),
        (
            """\
            feature: crm
            entities:
              Account:
                tenant: true
                fields: {name: str, tenant: str}
            """,
            "5:25",
            "the field `tenant` of Account clashes with `tenant: true`",
            "rename the field `tenant`",
        ),
    ],
)
def test_tenant_mistakes(fail: Any, document: str, where: str, message: str, hint: str) -> None:
    failure = fail(textwrap.dedent(document))
    assert failure.where == f"feature.yaml:{where}", failure.error
    assert message in failure.message
    assert hint in failure.hint
