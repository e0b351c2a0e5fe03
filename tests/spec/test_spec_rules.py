"""Business rules in prose: the `rules:` key and a PRP's `## Business rules` section."""

from __future__ import annotations

from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest
import yaml

from backsmith.errors import SpecError
from backsmith.spec import feature_json_schema, load_feature

PRP = """\
# Orders

Prose for people.

## Business rules

- An order over 1000 EUR needs a manager's approval
  before it is shipped.
- Cancelled orders cannot be changed.

```yaml backsmith
feature: orders
entities:
  Order:
    fields: {total: decimal}
    rules:
      - prose: The total is the sum of the order lines.
```

## Open questions

- Not a rule.
"""


def test_rules_come_from_the_yaml_and_the_business_rules_section(tmp_path: Path) -> None:
    document = tmp_path / "orders.md"
    document.write_text(PRP)
    spec = load_feature(document)
    texts = [(rule.entity, rule.text) for rule in spec.prose_rules]
    assert texts == [
        (None, "An order over 1000 EUR needs a manager's approval before it is shipped."),
        (None, "Cancelled orders cannot be changed."),
        ("Order", "The total is the sum of the order lines."),
    ]
    assert [r.location.line for r in spec.prose_rules if r.location] == [7, 9, 17]


def test_a_rule_needs_prose(tmp_path: Path) -> None:
    document = tmp_path / "bad.yaml"
    document.write_text(
        "feature: orders\nentities:\n  Order:\n    fields: {total: int}\n"
        "    rules:\n      - check: total > 0\n"
    )
    with pytest.raises(SpecError) as error:
        load_feature(document)
    assert str(error.value).startswith(f"{document}:6:9:")
    assert "check" in str(error.value)


def test_the_schema_accepts_rules() -> None:
    document = yaml.safe_load(PRP.split("```yaml backsmith\n")[1].split("```")[0])
    document["rules"] = [{"prose": "Feature-wide rule."}]
    jsonschema.validate(document, feature_json_schema())
    document["rules"] = [{"text": "wrong key"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, feature_json_schema())
