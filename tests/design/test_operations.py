"""The design stage's endpoints, built from a document alone: each route's method and path,
who may call it, and every status it can answer (SPEC §3). Nothing is rendered; the golden
files show how the FastAPI renderer prints these as routes and their `responses=`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backsmith.design.operations import EntityOperations, Kind, feature_operations
from backsmith.spec import load_feature

DOCUMENT = """\
feature: clinic
roles: [doctor]
entities:
  Doctor:
    fields:
      name: str
      licence: {type: str, unique: true}
    access: {list: public, read: "role:doctor", create: "role:admin", update: "role:admin",
             delete: "role:admin"}
  Appointment:
    owned: true
    versioned: true
    soft_delete: true
    fields:
      starts_at: datetime
      status: {enum: [booked, cancelled], default: booked}
      note: {type: str, required: false, access: {read: authenticated, write: "role:doctor"}}
    relations:
      doctor: {to: Doctor, inverse: appointments}
    access: {list: authenticated, read: [owner, "role:doctor"], create: authenticated,
             update: owner, delete: owner}
    actions:
      cancel:
        set: {status: cancelled}
        when: status == "booked"
  Room:
    tenant: true
    fields:
      label: str
    access: {list: authenticated, read: authenticated, create: authenticated,
             update: authenticated, delete: authenticated}
"""


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> dict[str, EntityOperations]:
    path = tmp_path_factory.mktemp("doc") / "clinic.yaml"
    path.write_text(DOCUMENT)
    return feature_operations(load_feature(path))


def routes(entity: EntityOperations) -> list[tuple[str, str, int]]:
    return [(op.method, op.path, op.success) for op in entity.operations]


def test_every_entity_has_the_crud_routes_and_a_route_per_extra(
    operations: dict[str, EntityOperations],
) -> None:
    assert routes(operations["Doctor"]) == [
        ("GET", "/doctors", 200),
        ("POST", "/doctors", 201),
        ("GET", "/doctors/{doctor_id}", 200),
        ("PATCH", "/doctors/{doctor_id}", 200),
        ("DELETE", "/doctors/{doctor_id}", 204),
    ]
    assert routes(operations["Appointment"]) == [
        ("GET", "/appointments", 200),
        ("GET", "/doctors/{doctor_id}/appointments", 200),
        ("POST", "/appointments", 201),
        ("GET", "/appointments/{appointment_id}", 200),
        ("PATCH", "/appointments/{appointment_id}", 200),
        ("DELETE", "/appointments/{appointment_id}", 204),
        ("POST", "/appointments/{appointment_id}/restore", 200),
        ("POST", "/appointments/{appointment_id}/cancel", 200),
    ]
    assert operations["Appointment"].inverse("Doctor", "appointments").kind is Kind.INVERSE


def test_a_public_route_refuses_only_a_bad_token_and_a_role_route_also_refuses_with_403(
    operations: dict[str, EntityOperations],
) -> None:
    doctors = operations["Doctor"]
    assert doctors["list"].public and doctors["list"].error_statuses == (401, 422)
    assert "invalid token" in doctors["list"].errors[401]
    assert not doctors["read"].public
    assert doctors["read"].error_statuses == (401, 403, 404, 422)


def test_a_change_the_read_rule_allows_but_the_write_rule_refuses_is_a_403(
    operations: dict[str, EntityOperations],
) -> None:
    """Authenticated callers may create and list, so those never answer 403; a row's
    update and delete can, whoever may call them."""
    appointments = operations["Appointment"]
    assert 403 not in appointments["list"].errors
    assert 403 in appointments["update"].errors and 403 in appointments["delete"].errors


def test_a_field_only_some_callers_may_send_makes_create_answer_403(
    operations: dict[str, EntityOperations],
) -> None:
    create = operations["Appointment"]["create"]
    assert create.error_statuses == (400, 401, 403, 409, 422)
    assert "may not set" in create.errors[403]
    assert "may not set" not in operations["Doctor"]["create"].errors[403]


def test_versioned_writes_need_if_match_and_actions_only_lose_races(
    operations: dict[str, EntityOperations],
) -> None:
    appointments = operations["Appointment"]
    assert {412, 428} <= set(appointments["update"].errors)
    assert {412, 428} <= set(appointments["delete"].errors)
    assert 412 in appointments["cancel"].errors and 428 not in appointments["cancel"].errors
    assert [op.name for op in appointments.operations if op.etag] == [
        "create",
        "read",
        "update",
        "restore",
        "cancel",
    ]
    assert 412 not in operations["Doctor"]["update"].errors


def test_conflicts_name_their_causes(operations: dict[str, EntityOperations]) -> None:
    assert "same licence" in operations["Doctor"]["create"].errors[409]
    assert "still has appointments" in operations["Doctor"]["delete"].errors[409]
    assert "guard refuses" in operations["Appointment"]["cancel"].errors[409]


def test_an_inverse_answers_for_the_parents_read_rule_first(
    operations: dict[str, EntityOperations],
) -> None:
    """Anyone signed in may list appointments, but only doctors may read a doctor: the
    collection under a doctor can be a 403, and a 404 for a doctor the caller cannot see."""
    inverse = operations["Appointment"].inverse("Doctor", "appointments")
    assert inverse.error_statuses == (401, 403, 404, 422)
    assert not inverse.public


def test_a_tenants_rows_answer_403_to_an_account_without_a_tenant(
    operations: dict[str, EntityOperations],
) -> None:
    rooms = operations["Room"]
    for op in rooms.operations:
        assert "no tenant" in op.errors[403], op.name


def test_two_parents_may_give_their_collections_of_one_entity_the_same_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tree.yaml"
    path.write_text(
        """\
feature: tree
entities:
  Folder:
    fields: {name: str}
  Note:
    fields: {title: str}
    relations:
      folder: {to: Folder, required: false, inverse: notes}
      parent: {to: Note, required: false, inverse: notes}
"""
    )
    notes = feature_operations(load_feature(path))["Note"]
    assert notes.inverse("Folder", "notes").path == "/folders/{folder_id}/notes"
    assert notes.inverse("Note", "notes").path == "/notes/{note_id}/notes"
