"""The design stage's access model, built from documents alone: nothing is rendered.

Each status here is what SPEC §3 promises a caller; the generated tests take theirs from
the same decision, and the renderer's code is what they then check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backsmith.design.access import (
    Condition,
    EntityAccess,
    access_of,
    build_matrix,
    expected_status,
    unset_on_create,
)
from backsmith.spec import load_feature
from backsmith.spec.model import FeatureSpec

DOCUMENT = """\
feature: clinic
roles: [doctor, receptionist]
entities:
  Doctor:
    fields: {name: str}
    access: {list: public, read: public, create: "role:admin", update: "role:admin"}
  Appointment:
    owned: true
    soft_delete: true
    fields:
      status: {type: enum, values: [booked, done], default: booked}
      note: {type: text, required: false, access: {read: "role:doctor", write: "role:doctor"}}
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
      create: [authenticated]
      update: [owner, "role:receptionist"]
      delete: "role:admin"
"""


@pytest.fixture
def spec(tmp_path: Path) -> FeatureSpec:
    path = tmp_path / "clinic.yaml"
    path.write_text(DOCUMENT)
    return load_feature(path)


def access(spec: FeatureSpec, name: str) -> EntityAccess:
    entity = spec.entity(name)
    assert entity is not None
    return access_of(entity)


def test_conditions_are_the_documents_grants_with_its_defaults(spec: FeatureSpec) -> None:
    appointment = access(spec, "Appointment")
    assert appointment.condition("read") == Condition(owner=True, roles=("doctor", "receptionist"))
    assert appointment.condition("create") == Condition(authenticated=True)
    # Restore was not written: it is delete's, as the document's defaults say.
    assert appointment.condition("restore") == appointment.condition("delete")
    assert appointment.condition("finish") == Condition(owner=True, roles=("doctor",))
    assert appointment.field_reads == {"note": Condition(roles=("doctor",))}
    doctor = access(spec, "Doctor")
    assert "restore" not in doctor.actions  # not soft-deleted
    # Unwritten actions of a shared entity default to any signed-in user.
    assert doctor.condition("delete") == Condition(authenticated=True)


def test_a_row_is_loaded_under_read_before_it_is_changed(spec: FeatureSpec) -> None:
    appointment = access(spec, "Appointment")
    # Admin may delete, but reaches no row of another user: 404, not 204.
    assert expected_status(appointment, "delete", ("admin",)) == 404
    # A receptionist reads every row: the delete rule then refuses (403).
    assert expected_status(appointment, "delete", ("receptionist",)) == 403
    assert expected_status(appointment, "update", ("doctor",)) == 403
    assert expected_status(appointment, "update", ("receptionist",)) == 200
    assert expected_status(appointment, "update", (), owns=True) == 200
    assert expected_status(appointment, "update", ()) == 404
    assert expected_status(appointment, "read", None) == 401
    assert expected_status(appointment, "finish", ("doctor",)) == 200
    assert expected_status(appointment, "finish", ("receptionist",)) == 403


def test_restore_looks_the_row_up_under_its_own_condition(spec: FeatureSpec) -> None:
    appointment = access(spec, "Appointment")
    assert expected_status(appointment, "restore", ("admin",)) == 200
    assert expected_status(appointment, "restore", ()) == 403
    assert expected_status(appointment, "restore", None) == 401


def test_a_create_needs_each_parent_readable(spec: FeatureSpec) -> None:
    appointment, doctor = access(spec, "Appointment"), access(spec, "Doctor")
    assert expected_status(appointment, "create", (), parents=[doctor]) == 201
    assert expected_status(appointment, "create", None, parents=[doctor]) == 401
    private = EntityAccess(
        entity="Ward",
        owned=True,
        soft_delete=False,
        tenant=False,
        actions={a: Condition(owner=True) for a in ("list", "read", "create", "update", "delete")},
    )
    # Another user's ward does not exist for this caller: a 422 on the create.
    assert expected_status(appointment, "create", (), parents=[private]) == 422


def test_the_matrix_covers_every_caller_action_and_ownership(spec: FeatureSpec) -> None:
    appointment, doctor = access(spec, "Appointment"), access(spec, "Doctor")
    matrix = build_matrix(appointment, spec.roles, [doctor], ["finish"])
    assert matrix.row_actions == ("list", "read", "update", "delete", "restore", "finish")
    assert matrix.owner is not None and matrix.owner.label == "user"
    update = {cell.id: cell.status for cell in matrix.of("update")}
    assert update == {
        "anonymous-update-not_owner": 401,
        "user-update-not_owner": 404,
        "role:admin-update-not_owner": 404,
        "role:doctor-update-not_owner": 403,
        "role:receptionist-update-not_owner": 200,
        "user-update-owner": 200,
    }
    listed = {cell.id: cell.listed for cell in matrix.of("list")}
    assert listed["role:doctor-list-not_owner"] is True
    assert listed["role:receptionist-list-not_owner"] is False  # reads, but lists own only
    assert listed["user-list-owner"] is True
    # The note is the doctor's to write: everyone else leaves it out of their create.
    create = {cell.id: cell.unset for cell in matrix.of("create")}
    assert create["user-create"] == ("note",)
    assert create["role:doctor-create"] == ()
    assert unset_on_create(appointment, ("doctor",)) == ()
