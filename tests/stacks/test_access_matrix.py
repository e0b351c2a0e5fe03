"""The authorization matrix: each cell's expected status, decided from the access rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsmith.design.access import AccessMatrix, access_of, expected_status
from backsmith.errors import SpecError
from backsmith.spec import lint_feature, load_feature
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_feature
from backsmith.stacks.fastapi_sqlalchemy.context import EntityContext, build_context
from backsmith.stacks.fastapi_sqlalchemy.testplan import EntityTestPlan, build_test_plan

CLINIC = """\
feature: clinic
roles: [doctor, receptionist]
entities:
  Doctor:
    fields: {name: str}
    access: {list: public, read: public, create: "role:admin", update: "role:admin"}
  Appointment:
    owned: true
    versioned: true
    soft_delete: true
    fields:
      status: {type: enum, values: [booked, done], default: booked}
    relations:
      doctor: Doctor
    actions:
      finish:
        set: {status: done}
        when: status == "booked"
        access: [owner, "role:doctor"]
    access:
      list: [owner, "role:doctor"]
      read: [owner, "role:doctor", "role:receptionist"]
      create: "role:receptionist"
      update: [owner, "role:receptionist"]
      delete: "role:admin"
      restore: owner
"""


def _plans(tmp_path: Path, body: str) -> dict[str, EntityTestPlan]:
    document = tmp_path / "feature.yaml"
    document.write_text(body)
    plan = build_test_plan(build_context(load_feature(document)))
    return {entity.entity.name: entity for entity in plan.entities}


def _matrix(plan: EntityTestPlan) -> AccessMatrix:
    assert plan.matrix is not None
    return plan.matrix


def _table(matrix: AccessMatrix, action: str) -> dict[str, int]:
    return {cell.id: cell.status for cell in matrix.of(action)}


def test_an_owned_entity_gets_every_caller_and_its_owner(tmp_path: Path) -> None:
    matrix = _matrix(_plans(tmp_path, CLINIC)["Appointment"])
    # The owner is the caller with the fewest roles that may create: a receptionist.
    assert matrix.owner is not None and matrix.owner.roles == ("receptionist",)
    assert matrix.row_actions == ("list", "read", "update", "delete", "restore", "finish")
    assert _table(matrix, "read") == {
        "anonymous-read-not_owner": 401,
        "user-read-not_owner": 404,  # an owner grant scopes them to their own rows
        "role:admin-read-not_owner": 404,  # admin is only named where the rules say so
        "role:doctor-read-not_owner": 200,
        "role:receptionist-read-not_owner": 200,
        "role:receptionist-read-owner": 200,
    }
    # The read rule loads the row first; then the update rule decides.
    assert _table(matrix, "update") == {
        "anonymous-update-not_owner": 401,
        "user-update-not_owner": 404,
        "role:admin-update-not_owner": 404,
        "role:doctor-update-not_owner": 403,  # may read it, may not change it
        "role:receptionist-update-not_owner": 200,
        "role:receptionist-update-owner": 200,
    }
    assert _table(matrix, "delete") == {
        "anonymous-delete-not_owner": 401,
        "user-delete-not_owner": 404,
        "role:admin-delete-not_owner": 404,  # may delete, but cannot reach the row
        "role:doctor-delete-not_owner": 403,
        "role:receptionist-delete-not_owner": 403,
        "role:receptionist-delete-owner": 403,
    }
    assert _table(matrix, "finish") == {
        "anonymous-finish-not_owner": 401,
        "user-finish-not_owner": 404,
        "role:admin-finish-not_owner": 404,
        "role:doctor-finish-not_owner": 200,
        "role:receptionist-finish-not_owner": 403,  # reads it, but finish is owner or doctor
        "role:receptionist-finish-owner": 200,
    }
    # Restore looks the deleted row up under its own rule: someone else's is a 404.
    assert _table(matrix, "restore") == {
        "anonymous-restore-not_owner": 401,
        "user-restore-not_owner": 404,
        "role:admin-restore-not_owner": 404,
        "role:doctor-restore-not_owner": 404,
        "role:receptionist-restore-not_owner": 404,
        "role:receptionist-restore-owner": 200,
    }


def test_the_list_cell_tells_a_role_that_sees_every_row_from_an_owner(tmp_path: Path) -> None:
    cells = {cell.id: cell for cell in _matrix(_plans(tmp_path, CLINIC)["Appointment"]).of("list")}
    shown = {cell_id: (cell.status, cell.listed) for cell_id, cell in cells.items()}
    assert shown == {
        "anonymous-list-not_owner": (401, False),
        "user-list-not_owner": (200, False),  # an owner grant: their own rows only
        "role:admin-list-not_owner": (200, False),
        "role:doctor-list-not_owner": (200, True),  # role:doctor: every row
        "role:receptionist-list-not_owner": (200, False),
        "role:receptionist-list-owner": (200, True),
    }


def test_create_cells_have_no_ownership(tmp_path: Path) -> None:
    plans = _plans(tmp_path, CLINIC)
    assert _table(_matrix(plans["Appointment"]), "create") == {
        "anonymous-create": 401,
        "user-create": 403,
        "role:admin-create": 403,
        "role:doctor-create": 403,
        "role:receptionist-create": 201,  # the doctor it points at is public
    }
    doctor = _matrix(plans["Doctor"])
    assert doctor.owner is None
    assert _table(doctor, "update")["role:doctor-update"] == 403
    assert _table(doctor, "update")["role:admin-update"] == 200
    assert "restore" not in doctor.row_actions


PRIVATE_PARENTS = """\
feature: vault
roles: [auditor]
entities:
  Box:
    owned: true
    fields: {label: str}
    access: {read: [owner, "role:auditor", "role:admin"]}
  Safe:
    fields: {label: str}
    access: {read: "role:auditor", create: "role:admin"}
  Item:
    fields: {name: str}
    relations:
      box: Box
      safe: Safe?
    access: {create: public, list: public, read: public}
"""


def test_a_create_under_a_parent_the_caller_may_not_read(tmp_path: Path) -> None:
    """A parent outside the caller's scope does not exist for them (422); a parent rule
    that refuses them outright answers with its own 401 or 403, in relation order."""
    plans = _plans(tmp_path, PRIVATE_PARENTS)
    assert _table(_matrix(plans["Item"]), "create") == {
        "anonymous-create": 401,  # reading the box needs a token
        "user-create": 422,  # another user's box is not found
        "role:admin-create": 403,  # reads the box; the safe's rule refuses them
        "role:auditor-create": 201,
    }
    assert plans["Item"].stranger["create"] == 422
    assert plans["Item"].anonymous["create"] == 401


def test_the_anonymous_and_stranger_checks_come_from_the_same_decision(tmp_path: Path) -> None:
    plans = _plans(tmp_path, CLINIC)
    appointment = plans["Appointment"]
    entity: EntityContext = appointment.entity
    access = access_of(entity.entity)
    for action in ("list", "read", "update", "delete"):
        assert appointment.anonymous[action] == expected_status(access, action, None)
        assert appointment.stranger[action] == expected_status(access, action, ())
    assert appointment.restore == {"anonymous": 401, "stranger": 404}
    (finish,) = appointment.action_cases
    assert (finish.anonymous, finish.stranger) == (401, 404)


def test_an_entity_named_like_another_ones_access_tests_is_refused(tmp_path: Path) -> None:
    document = tmp_path / "feature.yaml"
    document.write_text(
        "feature: shop\nentities:\n  Thing: {fields: {name: str}}\n"
        "  ThingAccess: {fields: {name: str}}\n"
    )
    with pytest.raises(SpecError, match=r"tests/shop/test_thing_access\.py"):
        render_feature(load_feature(document))


def test_each_entity_gets_its_matrix_module(tmp_path: Path) -> None:
    document = tmp_path / "feature.yaml"
    document.write_text(CLINIC)
    files = render_feature(load_feature(document))
    module = files["tests/clinic/test_appointment_access.py"]
    assert 'id="role:doctor-update-not_owner"' in module
    assert "if_match(row)" in module  # Appointment is versioned
    assert "async def test_action_finish(" in module
    assert "async def test_restore(" in module


# Issue #13: grants the read rule cuts off. An admin may delete loans but read only their
# own; on shelves, admins may update but read none.
DEAD_GRANTS = """\
feature: library
roles: [librarian]
entities:
  Loan:
    owned: true
    fields: {note: str}
    access: {read: [owner, "role:librarian"], delete: "role:admin"}
  Shelf:
    fields: {label: str}
    access:
      list: "role:librarian"
      read: "role:librarian"
      create: "role:librarian"
      update: "role:admin"
      delete: "role:librarian"
"""


def test_a_dead_grant_is_asserted_as_the_api_answers_it(tmp_path: Path) -> None:
    plans = _plans(tmp_path, DEAD_GRANTS)
    loans = _matrix(plans["Loan"])
    assert _table(loans, "delete") == {
        "anonymous-delete-not_owner": 401,
        "user-delete-not_owner": 404,
        "role:admin-delete-not_owner": 404,  # granted, but the row does not exist for them
        "role:librarian-delete-not_owner": 403,  # reads it, may not delete it
        "user-delete-owner": 403,
    }
    # The list the defaults leave to [owner, role:admin] shows admins the loan they
    # cannot open: what the warning at `read` says.
    admin_list = next(c for c in loans.of("list") if c.id == "role:admin-list-not_owner")
    assert (admin_list.status, admin_list.listed) == (200, True)
    assert _table(loans, "read")["role:admin-read-not_owner"] == 404
    # Shelves: the read rule refuses admins outright, so their update is its 403.
    assert _table(_matrix(plans["Shelf"]), "update") == {
        "anonymous-update": 401,
        "user-update": 403,
        "role:admin-update": 403,
        "role:librarian-update": 403,
    }
    files = render_feature(load_feature(tmp_path / "feature.yaml"))
    assert '404, id="role:admin-delete-not_owner"' in files["tests/library/test_loan_access.py"]


def test_the_document_warns_about_each_grant_the_matrix_shows_dead(tmp_path: Path) -> None:
    document = tmp_path / "feature.yaml"
    document.write_text(DEAD_GRANTS)
    found = lint_feature(load_feature(document))
    assert [(w.location.line, w.location.column) for w in found] == [(7, 21), (7, 55), (14, 15)]
    at_read, delete, update = (w.message for w in found)
    assert at_read.startswith("`read: owner, role:librarian` of Loan leaves out callers that")
    assert delete.startswith("`role:admin` lets a user with role admin but not role:librarian")
    assert "their delete is a 404" in delete
    assert "their update never succeeds" in update
