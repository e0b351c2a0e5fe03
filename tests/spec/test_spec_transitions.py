"""`transitions:`: the allowed moves of an enum field, checked against its values."""

from __future__ import annotations

import pytest

from backsmith.spec import feature_json_schema
from tests.spec.conftest import Fail, Load

jsonschema = pytest.importorskip("jsonschema")

DOCUMENT = """\
feature: desk
entities:
  Ticket:
    fields:
      title: str
      status: {{enum: [open, doing, done], default: open}}
      size: int = 1
    transitions:
      {transitions}
"""


def document(transitions: str) -> str:
    return DOCUMENT.format(transitions=transitions)


def test_moves_are_read_and_unlisted_values_are_final(load: Load) -> None:
    spec = load(document("status: {open: [doing, done], doing: done}"))
    (transitions,) = spec.entities[0].transitions
    assert transitions.field == "status"
    assert transitions.moves == {"open": ("doing", "done"), "doing": ("done",), "done": ()}
    assert transitions.location is not None and transitions.location.line == 9


@pytest.mark.parametrize(
    ("transitions", "where", "message", "hint"),
    [
        ("stat: {open: [doing]}", "9:7", "`stat`, which is not a field", "did you mean `status`"),
        ("size: {open: [doing]}", "9:7", "is a int field", "enum fields: status"),
        ("status: {opn: [doing]}", "9:16", "`opn` is not a value", "did you mean `open`"),
        ("status: {open: [doin]}", "9:23", "`doin` is not a value", "did you mean `doing`"),
        ("status: {open: [open]}", "9:23", "is not a move", "remove it"),
        ("status: {open: [done, done]}", "9:29", "`done` is listed twice", "remove one"),
        ("status: [open, done]", "9:15", "must be a mapping", ""),
    ],
)
def test_mistakes_point_at_their_place(
    fail: Fail, transitions: str, where: str, message: str, hint: str
) -> None:
    failure = fail(document(transitions))
    assert failure.where == f"feature.yaml:{where}"
    assert message in failure.message
    assert hint in failure.hint


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ("required: false", "is optional"),
        ("default: open, read_only: true", "is read_only"),
        ("immutable: true", "is immutable"),
        ("write_only: true", "is write_only"),
    ],
)
def test_the_field_must_be_movable_and_visible(fail: Fail, flags: str, message: str) -> None:
    failure = fail(
        f"""\
        feature: desk
        entities:
          Ticket:
            fields:
              status: {{enum: [open, done], {flags}}}
            transitions:
              status: {{open: [done]}}
        """
    )
    assert failure.where == "feature.yaml:7:7"
    assert message in failure.message


def test_the_schema_knows_transitions() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())
    entity = {
        "fields": {"status": {"enum": ["a", "b"]}},
        "transitions": {"status": {"a": ["b"], "b": []}},
    }
    assert validator.is_valid({"feature": "desk", "entities": {"T": entity}})
    bad = {**entity, "transitions": {"status": ["a", "b"]}}
    assert not validator.is_valid({"feature": "desk", "entities": {"T": bad}})
