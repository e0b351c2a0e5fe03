"""Warnings about valid documents: grants that cannot take effect as they are written."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backsmith.spec import lint_feature, load_feature
from backsmith.spec.lint import DocumentWarning
from tests.spec.conftest import Fail, Write

REPO = Path(__file__).resolve().parents[2]

# The defect of issue #13: admins may delete loans they cannot read.
LOANS = """\
feature: library
roles: [librarian]
entities:
  Loan:
    owned: true
    fields: {note: str}
    access: {read: [owner, "role:librarian"], delete: "role:admin"}
"""
# The same rules with every action written, so that no default adds a warning.
WRITTEN = LOANS.replace("access: {", 'access: {list: [owner, "role:librarian"], update: owner, ')


def warnings_of(write: Write, text: str) -> list[DocumentWarning]:
    return lint_feature(load_feature(write(text)))


def where(warning: DocumentWarning) -> str:
    return f"{Path(warning.location.file).name}:{warning.location.line}:{warning.location.column}"


def spot(document: str, line: int, text: str) -> str:
    """`feature.yaml:LINE:COLUMN` of the first `text` on a line of the (dedented) document."""
    column = textwrap.dedent(document).splitlines()[line - 1].index(text) + 1
    return f"feature.yaml:{line}:{column}"


def test_a_delete_granted_to_a_role_that_cannot_read_is_a_located_warning(write: Write) -> None:
    (warning,) = warnings_of(write, WRITTEN)
    assert where(warning) == spot(WRITTEN, 7, '"role:admin"')  # the grant of delete
    assert "`role:admin` lets a user with role admin but not role:librarian delete" in (
        warning.message
    )
    assert "their delete is a 404" in warning.message
    assert warning.hint == "grant `read` to `role:admin` too, or drop `role:admin` from `delete`"
    assert str(warning).startswith(f"{warning.location}: warning: `role:admin`")
    assert "\n" not in str(warning)


def test_the_issue_document_also_warns_about_the_defaults_read_cuts_down(write: Write) -> None:
    # list and update are left to [owner, role:admin]: admins would list every loan
    # (showing what read hides) and update only their own.
    at_read, at_delete = warnings_of(write, LOANS)
    assert where(at_read) == spot(LOANS, 7, "owner")
    assert "`list` and `update`, not written, let in by default (`role:admin`)" in (at_read.message)
    assert "the list shows them rows `read` hides" in at_read.message
    assert where(at_delete) == spot(LOANS, 7, '"role:admin"')


def test_granting_read_too_or_dropping_the_grant_silences_it(write: Write) -> None:
    granted = WRITTEN.replace(
        'read: [owner, "role:librarian"]', 'read: [owner, "role:librarian", "role:admin"]'
    )
    dropped = WRITTEN.replace('delete: "role:admin"', 'delete: "role:librarian"')
    assert warnings_of(write, granted) == []
    assert warnings_of(write, dropped) == []


@pytest.mark.parametrize(
    "access",
    [
        '{read: public, delete: "role:admin"}',  # everyone reads: admins too
        '{read: authenticated, update: owner, delete: [owner, "role:admin"]}',
        '{read: [owner, "role:admin"], list: "role:admin"}',  # read wider than list
        "{}",  # the defaults agree with each other
    ],
)
def test_grants_every_holder_of_which_can_read_are_fine(write: Write, access: str) -> None:
    document = LOANS.replace(
        'access: {read: [owner, "role:librarian"], delete: "role:admin"}', f"access: {access}"
    )
    assert warnings_of(write, document) == []


def test_the_examples_have_no_warnings() -> None:
    for example in sorted((REPO / "examples").iterdir()):
        assert lint_feature(load_feature(example)) == [], example.name


MEMOS = """\
feature: office
roles: [staff]
entities:
  Memo:
    fields: {text: str}
    access: {list: "role:staff", read: "role:staff", update: "role:admin", delete: "role:staff"}
"""


def test_a_grant_whose_holder_may_read_no_row_never_succeeds(write: Write) -> None:
    (warning,) = warnings_of(write, MEMOS)
    assert where(warning) == spot(MEMOS, 6, '"role:admin"')
    assert "`read: role:staff` hides every row from them" in warning.message
    assert "their update never succeeds" in warning.message


def test_public_and_owner_grants_are_judged_by_the_caller_they_name(write: Write) -> None:
    document = """\
    feature: office
    roles: [staff]
    entities:
      Memo:
        fields: {text: str}
        access: {read: authenticated, update: public}
      Note:
        owned: true
        fields: {text: str}
        access: {list: "role:staff", read: "role:staff", update: owner, delete: "role:staff"}
    """
    found = warnings_of(write, document)
    assert [where(w) for w in found] == [spot(document, 6, "public"), spot(document, 10, "owner")]
    assert "`public` lets a caller without a token update Memo rows" in found[0].message
    assert "`owner` lets a row's owner without role:staff update Note rows" in found[1].message


def test_an_owner_who_could_never_create_the_row_reaches_none(write: Write) -> None:
    # Only librarians create loans, so an admin owns none: their delete never succeeds.
    document = WRITTEN.replace("access: {", 'access: {create: "role:librarian", ')
    (warning,) = warnings_of(write, document)
    assert "their delete never succeeds" in warning.message


LIBRARY_ACTIONS = """\
feature: library
roles: [librarian]
entities:
  Loan:
    owned: true
    fields: {open: bool = true}
    actions:
      close: {set: {open: false}}
      reopen: {set: {open: true}, access: "role:admin"}
    access:
      list: [owner, "role:librarian"]
      read: [owner, "role:librarian"]
      update: [owner, "role:librarian"]
      delete: [owner, "role:librarian"]
"""


def test_a_custom_action_with_its_own_grants_is_checked_and_an_inherited_one_is_not(
    write: Write,
) -> None:
    (warning,) = warnings_of(write, LIBRARY_ACTIONS)  # close takes update's, which read covers
    assert where(warning) == spot(LIBRARY_ACTIONS, 9, '"role:admin"')
    assert "run `reopen` on any Loan" in warning.message
    assert "their reopen is a 404" in warning.message


def test_an_action_inheriting_a_dead_update_grant_warns_once_at_update(write: Write) -> None:
    document = LIBRARY_ACTIONS.replace(', access: "role:admin"', "").replace(
        'update: [owner, "role:librarian"]', 'update: "role:admin"'
    )
    (warning,) = warnings_of(write, document)
    assert where(warning) == spot(document, 13, '"role:admin"')
    assert "update any Loan" in warning.message


def test_restore_granted_to_a_caller_who_cannot_read_answers_with_a_hidden_row(
    write: Write,
) -> None:
    document = LIBRARY_ACTIONS.replace("owned: true", "owned: true\n    soft_delete: true")
    document = document.replace(', access: "role:admin"', "") + '      restore: "role:admin"\n'
    (warning,) = warnings_of(write, document)
    assert where(warning) == spot(document, 16, '"role:admin"')
    assert "restore deleted Loan rows" in warning.message
    assert "does not exist for them" in warning.message
    # Left out, restore takes delete's grants, which read covers.
    assert warnings_of(write, document.replace('      restore: "role:admin"\n', "")) == []


def test_a_list_wider_than_read_shows_what_read_hides(write: Write) -> None:
    document = LIBRARY_ACTIONS.replace('list: [owner, "role:librarian"]', "list: authenticated")
    (warning,) = warnings_of(write, document.replace(', access: "role:admin"', ""))
    assert where(warning) == spot(document, 11, "authenticated")
    assert "lets them open only their own: the list shows them what `read` hides" in (
        warning.message
    )


def test_actions_left_to_defaults_that_read_cuts_down_warn_once_at_read(write: Write) -> None:
    document = """\
    feature: office
    roles: [staff]
    entities:
      Memo:
        fields: {text: str}
        access: {read: "role:staff"}
    """
    (warning,) = warnings_of(write, document)
    assert where(warning) == spot(document, 6, '"role:staff"')
    assert "`list`, `update` and `delete`, not written, let in by default (`authenticated`)" in (
        warning.message
    )
    assert "the list shows them rows `read` hides" in warning.message
    assert warning.hint is not None and "write `list`, `update` and `delete`" in warning.hint


VISITS = """\
feature: clinic
roles: [doctor]
entities:
  Doctor:
    fields: {name: str}
    access: {list: "role:doctor", read: "role:doctor", update: "role:doctor", delete: "role:doctor"}
  Visit:
    fields: {day: date}
    relations:
      doctor: Doctor
    access: {create: authenticated}
"""


def test_a_create_needing_a_parent_its_caller_cannot_read_never_succeeds(write: Write) -> None:
    (warning,) = warnings_of(write, VISITS)
    assert where(warning) == spot(VISITS, 11, "authenticated")
    assert "each needs a Doctor (`doctor`)" in warning.message
    assert "their create never succeeds" in warning.message


def test_a_default_create_is_pointed_at_through_its_relation(write: Write) -> None:
    document = VISITS.replace("    access: {create: authenticated}\n", "")
    (warning,) = warnings_of(write, document)
    assert where(warning) == spot(document, 10, "doctor")
    assert "`authenticated`, the default of `create`," in warning.message


def test_an_optional_parent_can_be_left_out_of_a_create(write: Write) -> None:
    assert warnings_of(write, VISITS.replace("doctor: Doctor", "doctor: Doctor?")) == []


EMPLOYEES = """\
feature: staff
roles: [hr, auditor]
entities:
  Employee:
    owned: true
    fields:
      name: str
      salary: {type: int, required: false, access: {read: "role:auditor", write: "role:hr"}}
      notes: {type: text, required: false, access: {read: [authenticated], write: owner}}
    access: {read: [owner, "role:admin"], create: "role:admin"}
"""


def test_field_grants_for_a_role_that_never_reaches_the_row(write: Write) -> None:
    # Only admins create, so neither an auditor nor an hr user owns a row or reaches one.
    found = warnings_of(write, EMPLOYEES)
    assert [where(w) for w in found] == [
        spot(EMPLOYEES, 8, '"role:auditor"'),
        spot(EMPLOYEES, 8, '"role:hr"'),
    ]
    assert "`role:auditor` may see `salary`" in found[0].message
    assert "may neither read nor list Employee rows" in found[0].message
    assert "`role:hr` may set `salary`" in found[1].message
    assert "may neither create nor update Employee rows" in found[1].message


def test_a_field_grant_for_a_role_that_reaches_its_own_rows_is_fine(write: Write) -> None:
    # Any user creates, so an auditor or hr user owns rows; field rules narrow the row's.
    document = EMPLOYEES.replace(', create: "role:admin"', "")
    assert warnings_of(write, document) == []


def test_tenants_do_not_change_the_verdict(write: Write) -> None:
    (warning,) = warnings_of(write, WRITTEN.replace("owned: true", "owned: true\n    tenant: true"))
    assert "their delete is a 404" in warning.message


@pytest.mark.parametrize(
    ("access", "message"),
    [
        ('{delete: "role:auditor"}', "the role `auditor` is not declared in `roles`"),
        ("{delete: owner}", "`owner` is only for owned entities and Memo is not owned"),
    ],
)
def test_grants_that_name_nobody_are_errors_not_warnings(
    fail: Fail, access: str, message: str
) -> None:
    failure = fail(
        f"feature: office\nentities:\n  Memo:\n    fields: {{text: str}}\n    access: {access}\n"
    )
    assert failure.message == message
    assert failure.where == "feature.yaml:5:22"
