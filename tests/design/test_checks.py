"""Test data for cross-field checks: samples that meet them, values that break each."""

from __future__ import annotations

from pathlib import Path

from backsmith.design.checks import CheckData, check_data, meeting_checks
from backsmith.design.samples import valid_value
from backsmith.spec import load_feature

DOCUMENT = """\
feature: plans
entities:
  Plan:
    fields:
      starts_on: date
      ends_on: date?
      budget: decimal(8,2)?
      people: int(1..20) = 1
    checks:
      - rule: ends_on is null or ends_on > starts_on
        message: A plan ends after it starts.
      - rule: budget is null or budget >= people * 100
        message: Budget at least 100 per person.
"""


def _data(tmp_path: Path) -> CheckData:
    path = tmp_path / "plans.yaml"
    path.write_text(DOCUMENT, encoding="utf-8")
    (plan,) = load_feature(path).entities
    return CheckData({f.name: f for f in plan.fields}, plan.checks)


def test_verdicts_are_three_valued(tmp_path: Path) -> None:
    data = _data(tmp_path)
    row = {"starts_on": "2024-01-02", "ends_on": None, "budget": "50.00", "people": 2}
    assert data.verdicts(row) == [True, False]
    assert data.verdicts({**row, "ends_on": "2024-01-01", "budget": None}) == [False, True]


def test_a_failing_sample_is_changed_until_it_meets_every_check(tmp_path: Path) -> None:
    data = _data(tmp_path)
    row = {"starts_on": "2024-01-02", "ends_on": "2024-01-01", "budget": "50.00", "people": 2}
    met = data.satisfying(row, 0)
    assert met is not None and data.meets_all(met)
    assert data.satisfying(met, 0) == met


def test_breaking_values_break_that_check_and_none_before_it(tmp_path: Path) -> None:
    data = _data(tmp_path)
    good = {"starts_on": "2024-01-02", "ends_on": None, "budget": None, "people": 2}
    for position in (0, 1):
        breaking = data.breaking(good, position)
        assert breaking is not None
        assert set(breaking) == set(data.checks[position].fields)
        verdicts = data.verdicts({**good, **breaking})
        assert verdicts[position] is False and False not in verdicts[:position]
    patch = data.update_patch(good, {"budget": "1.00", "people": 5}, {"budget", "people"}, 1)
    assert patch == {"budget": "1.00"}  # one field is enough: the merged row breaks it


MANY_CHECKS = """\
feature: planner
entities:
  Trip:
    fields:
      starts_on: date
      ends_on: date?
      people: int(1..20) = 1
      budget: decimal(8,2)?
      leaves_at: datetime?
      arrives_at: datetime?
      status: {enum: [draft, booked, done], default: draft}
    checks:
      - rule: ends_on is null or ends_on >= starts_on
        message: A trip ends on or after the day it starts.
      - rule: budget is null or budget >= people * 100
        message: At least 100 per person.
      - rule: arrives_at is null or leaves_at is null or arrives_at > leaves_at
        message: One arrives after leaving.
      - rule: status != "done" or ends_on is not null
        message: A done trip has an end.
"""


def test_samples_meet_many_checks_over_many_fields(tmp_path: Path) -> None:
    """Seven checked fields are too many to walk together (the walk is bounded and varies
    the last few): each broken check is mended over its own fields, and every sample
    comes out meeting all four."""
    path = tmp_path / "planner.yaml"
    path.write_text(MANY_CHECKS, encoding="utf-8")
    (trip,) = load_feature(path).entities
    rows = [{f.name: valid_value(f, index) for f in trip.fields} for index in range(6)]
    data = check_data(trip)
    assert not all(data.meets_all(row) for row in rows)  # the raw samples break some

    met = meeting_checks(trip, rows, unique=[])

    assert len(met) == len(rows)
    assert all(data.meets_all(row) for row in met)
