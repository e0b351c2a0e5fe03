"""Test data for cross-field checks: samples that meet them, values that break each."""

from __future__ import annotations

from pathlib import Path

from backsmith.spec import load_feature
from backsmith.design.checks import CheckData

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
