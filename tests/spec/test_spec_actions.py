"""`actions:`: named changes with a guard and their own access rule."""

from __future__ import annotations

import pytest

from backsmith.spec import feature_json_schema
from backsmith.spec.model import GrantKind
from tests.spec.conftest import Fail, Load

jsonschema = pytest.importorskip("jsonschema")

DOCUMENT = """\
feature: desk
roles: [agent]
entities:
  Ticket:
    owned: true
    fields:
      status: {{enum: [open, resolved, closed], default: open}}
      closed_at: {{type: datetime, required: false, read_only: true}}
      closed_on: date?
      votes: int(0..) = 0
      code: {{type: str, immutable: true}}
    actions:
      {action}
"""


def document(action: str) -> str:
    return DOCUMENT.format(action=action)


def test_an_action_sets_values_stamps_and_has_a_guard(load: Load) -> None:
    text = document(
        "close: {set: {status: closed, closed_at: now, closed_on: today, votes: 0}, "
        'when: status == "resolved", message: Resolve it first., access: "role:agent"}'
    )
    (close,) = load(text).entities[0].actions
    assert close.name == "close"
    assert close.values == {"status": "closed", "votes": 0}
    assert close.stamped == ("closed_at", "closed_on")
    assert close.guard is not None and close.guard.rule == 'status == "resolved"'
    assert close.guard.message == "Resolve it first."
    assert [str(g) for g in close.access] == ["role:agent"]


def test_access_defaults_to_update_and_the_guard_message_to_a_sentence(load: Load) -> None:
    (reopen,) = (
        load(document('reopen: {set: {status: open}, when: status != "open"}')).entities[0].actions
    )
    assert [g.kind for g in reopen.access] == [GrantKind.OWNER, GrantKind.ROLE]
    assert reopen.guard is not None and "reopen" in reopen.guard.message


@pytest.mark.parametrize(
    ("action", "where", "message"),
    [
        ("delete: {set: {votes: 0}}", "13:7", "taken by the generated CRUD code"),
        ("Close: {set: {votes: 0}}", "13:7", "must be a snake_case word"),
        ("close: {when: votes > 1}", "13:7", "sets nothing"),
        ("close: {set: {}}", "13:20", "sets nothing"),
        ("close: {set: {vots: 0}}", "13:21", "`vots`, which is not a field"),
        ("close: {set: {votes: -1}}", "13:28", "below the minimum 0"),
        ("close: {set: {status: shut}}", "13:29", "not one of the values"),
        ("close: {set: {votes: null}}", "13:28", "cannot set it to null"),
        ("close: {set: {code: x}}", "13:21", "is immutable"),
        ("close: {set: {votes: 0}, when: vots > 1}", "13:38", "`vots` is not a field"),
        ("close: {set: {votes: 0}, message: x}", "13:32", "has no `when`"),
        ("close: {set: {votes: 0}, access: nobody}", "13:40", "unknown grant"),
        ("close: {set: {votes: 0}, acess: owner}", "13:32", "did you mean `access`"),
    ],
)
def test_mistakes_point_at_their_place(fail: Fail, action: str, where: str, message: str) -> None:
    failure = fail(document(action))
    assert failure.where == f"feature.yaml:{where}"
    assert message in failure.message + " " + failure.hint


def test_the_schema_knows_actions() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())
    entity = {
        "fields": {"status": {"enum": ["a", "b"]}},
        "actions": {"finish": {"set": {"status": "b"}, "when": 'status == "a"'}},
    }
    assert validator.is_valid({"feature": "desk", "entities": {"T": entity}})
    bad = {**entity, "actions": {"finish": {"when": "x"}}}
    assert not validator.is_valid({"feature": "desk", "entities": {"T": bad}})
