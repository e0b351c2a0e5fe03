"""`checks:`: cross-field rules, parsed and type-checked with errors inside the rule."""

from __future__ import annotations

import pytest

from backsmith.spec import feature_json_schema
from backsmith.spec.expressions import parse_expression, to_python
from tests.spec.conftest import Fail, Load

jsonschema = pytest.importorskip("jsonschema")

DOCUMENT = """\
feature: desk
entities:
  Ticket:
    fields:
      title: str
      body: text?
      status: {{enum: [open, closed], default: open}}
      priority: int(1..5) = 3
      urgent: bool = false
      opened_on: date
      due_on: date?
      price: decimal?
      starts_at: datetime?
      data: json?
    checks:
      - rule: {rule}
        message: Broken.
"""
RULE_COLUMN = 15  # where the rule starts on line 16


def document(rule: str) -> str:
    return DOCUMENT.format(rule=rule)


@pytest.mark.parametrize(
    "rule",
    [
        "due_on is null or due_on >= opened_on",
        "priority <= 2 or body is not null",
        'status in ["open", "closed"] and not urgent',
        "status not in ['closed'] or priority != 5",
        "due_on - opened_on <= 30 and opened_on + 1 > opened_on",
        "price * 2 / 4 - -1 < 100.5",
        'opened_on >= date("2024-01-01") and starts_at < datetime("2030-01-01T00:00:00Z")',
        "(priority > 1 or urgent) and title != 'x'",
    ],
)
def test_good_rules_load(load: Load, rule: str) -> None:
    (check,) = load(document(rule)).entities[0].checks
    assert check.rule == rule and check.message == "Broken."
    assert check.location is not None and check.location.line == 16


@pytest.mark.parametrize(
    ("rule", "offset", "message", "hint"),
    [
        ("due_on >= opend_on", 10, "`opend_on` is not a field", "did you mean `opened_on`"),
        ('priority > "a"', 9, "`>` compares the number field `priority` with a text", "same"),
        ('status == "opn"', 10, "`opn` is not a value of `status`", "did you mean `open`"),
        ("priority", 0, "must be a condition, but this is a number", "compare it"),
        ("priority = 3", 9, "`=` is not an operator", "=="),
        ("title == null", 6, "with null is never true", "is null"),
        ("(priority > 1", 13, "not closed", ""),
        ("priority > 1 priority", 13, "unexpected `priority`", "and"),
        ("title < 'b'", 6, "`<` orders numbers, dates", ""),
        ("opened_on + starts_at > 1", 10, "cannot combine", "days"),
        ("data is null", 0, "json field, which checks cannot read", ""),
        ("urgent and priority", 7, "`and` needs true/false", ""),
        ('opened_on > date("31/12/2024")', 17, "needs an ISO date", "2024-05-31"),
        ("priority is 3", 12, "expected `null` after `is`", ""),
        ("", 0, "the check is empty", ""),
    ],
)
def test_mistakes_point_inside_the_rule(
    fail: Fail, rule: str, offset: int, message: str, hint: str
) -> None:
    failure = fail(document(rule if rule else '""'))
    column = RULE_COLUMN + offset + (1 if not rule else 0)
    assert failure.where == f"feature.yaml:16:{column}"
    assert message in failure.message
    assert hint in failure.hint


def test_a_quoted_rule_points_past_the_quote(fail: Fail) -> None:
    failure = fail(document('"due_on >= opend_on"'))
    assert failure.where == f"feature.yaml:16:{RULE_COLUMN + 1 + 10}"


def test_a_literal_block_rule_points_at_its_line(fail: Fail) -> None:
    text = document("|\n          due_on is null or\n          due_on >= opend_on")
    failure = fail(text)
    assert failure.where == "feature.yaml:18:21"


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("{rule: priority > 1}", "a check has no `message`"),
        ("{message: x}", "a check has no `rule`"),
        ("{rule: priority > 1, message: x, level: 2}", "unknown key `level`"),
        ('{rule: priority > 1, message: " "}', "the message is empty"),
    ],
)
def test_a_check_has_a_rule_and_a_message(fail: Fail, check: str, message: str) -> None:
    text = document("RULE").replace("- rule: RULE\n        message: Broken.", f"- {check}")
    assert message in fail(text).message


def test_rules_become_calls_to_the_runtime() -> None:
    from backsmith.spec.model import Field, FieldType

    fields = {
        "a": Field(name="a", type=FieldType.INT),
        "d": Field(name="d", type=FieldType.DATE, nullable=True),
    }
    tree = parse_expression('not (a in [1, 2]) and d - date("2024-01-01") > 1.5', fields)
    assert to_python(tree) == (
        "all_of(negate(member(row['a'], (1, 2,))), "
        "compare(minus(row['d'], date.fromisoformat('2024-01-01')), '>', Decimal(\"1.5\")))"
    )


def test_the_schema_knows_checks() -> None:
    validator = jsonschema.Draft202012Validator(feature_json_schema())
    entity = {"fields": {"a": "int"}, "checks": [{"rule": "a > 1", "message": "m"}]}
    assert validator.is_valid({"feature": "desk", "entities": {"T": entity}})
    bad = {**entity, "checks": [{"rule": "a > 1"}]}
    assert not validator.is_valid({"feature": "desk", "entities": {"T": bad}})


def test_a_naive_datetime_literal_is_utc() -> None:
    from backsmith.spec.model import Field, FieldType

    fields = {"at": Field(name="at", type=FieldType.DATETIME)}
    tree = parse_expression('at < datetime("2030-01-01T00:00:00")', fields)
    assert "datetime.fromisoformat('2030-01-01T00:00:00+00:00')" in to_python(tree)
