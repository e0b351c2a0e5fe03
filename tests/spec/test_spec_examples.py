"""The shipped examples load, and together they use every feature of the document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backsmith.spec import load_feature
from backsmith.spec.model import FeatureSpec, FieldType, GrantKind, OnDelete

EXAMPLES_DIR = Path(__file__).parents[2] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.*"))


@pytest.fixture(scope="module")
def specs() -> list[FeatureSpec]:
    return [load_feature(path) for path in EXAMPLES]


def test_there_are_examples_in_two_formats() -> None:
    assert {path.suffix for path in EXAMPLES} >= {".md", ".yaml"}
    assert len({load_feature(path).feature for path in EXAMPLES}) == len(EXAMPLES)


def test_clinic_keeps_the_spec_block(specs: list[FeatureSpec]) -> None:
    clinic = load_feature(EXAMPLES_DIR / "clinic.md")
    doctor, appointment = clinic.entity("Doctor"), clinic.entity("Appointment")
    assert doctor is not None and appointment is not None
    assert doctor.field("license_no").pattern == "^[A-Z]{2}-[0-9]{6}$"  # type: ignore[union-attr]
    assert appointment.owned and appointment.unique == (("doctor", "starts_at"),)
    assert [str(k) for k in appointment.list.sort] == ["starts_at", "-created_at"]


def test_examples_cover_every_feature(specs: list[FeatureSpec]) -> None:
    entities = [entity for spec in specs for entity in spec.entities]
    fields = [field for entity in entities for field in entity.fields]
    relations = [relation for entity in entities for relation in entity.relations]
    grants = {grant.kind for e in entities for action in e.access.values() for grant in action}

    assert {field.type for field in fields} == set(FieldType)
    for flag in ("unique", "index", "read_only", "write_only", "immutable", "nullable"):
        assert any(getattr(field, flag) for field in fields), flag
    for attribute in ("min", "max", "min_length", "max_length", "pattern", "precision",
                      "scale", "description", "example"):  # fmt: skip
        assert any(getattr(field, attribute) is not None for field in fields), attribute
    assert any(field.has_default for field in fields)
    assert any(field.values for field in fields)
    assert {relation.on_delete for relation in relations} == set(OnDelete)
    assert any(not relation.required for relation in relations)
    assert any(entity.owned for entity in entities)
    assert any("owner" in group for entity in entities for group in entity.unique)
    assert any(len(group) > 1 for entity in entities for group in entity.unique)
    assert grants == set(GrantKind)
    assert any(entity.list.filter for entity in entities)
    assert any(entity.list.search for entity in entities)
    assert any(key.descending for entity in entities for key in entity.list.sort)
    assert any(entity.list.page_size.max != 100 for entity in entities)
    # Business rules
    assert any(entity.versioned for entity in entities)
    assert any(entity.soft_delete for entity in entities)
    assert any(entity.transitions for entity in entities)
    assert any(entity.checks for entity in entities)
    actions = [action for entity in entities for action in entity.actions]
    assert any(action.guard for action in actions) and any(not a.guard for a in actions)
    assert any(action.stamped for action in actions)


DOCS = Path(__file__).parents[2] / "docs" / "spec.md"


def doc_documents() -> list[str]:
    """Every complete document (a ```yaml block starting with `feature:`) in docs/spec.md."""
    blocks = re.findall(r"^```yaml(?: backsmith)?\n(.*?)^```$", DOCS.read_text(), re.M | re.S)
    return [block for block in blocks if block.startswith("feature:")]


def test_docs_have_complete_documents() -> None:
    assert len(doc_documents()) >= 2


@pytest.mark.parametrize("document", doc_documents(), ids=lambda d: d.split("\n", 1)[0])
def test_documents_in_the_docs_are_valid(tmp_path: Path, document: str) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(document, encoding="utf-8")
    assert load_feature(path).entities
