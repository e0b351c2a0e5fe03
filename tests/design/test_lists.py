"""The design stage's lists, built from a document alone: which query parameters a list
takes, what each compares, and its order, search and page sizes (SPEC §3 Lists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsmith.design.lists import FilterOp, ListDesign, list_of
from backsmith.spec import load_feature

DOCUMENT = """\
feature: stock
entities:
  Warehouse:
    fields:
      city: {type: str, max_length: 40}
      kind: {type: enum, values: [depot, store], default: depot}
  Crate:
    fields:
      label: str
      weight: {type: decimal, precision: 8, scale: 2}
      packed_on: {type: date, required: false}
      fragile: {type: bool, default: false}
    relations:
      warehouse: Warehouse
    list:
      filter: [warehouse.kind, label, weight, warehouse, fragile]
      sort: [-weight, packed_on]
      search: [label]
      page_size: {default: 10, max: 50}
"""


@pytest.fixture(scope="module")
def crates(tmp_path_factory: pytest.TempPathFactory) -> ListDesign:
    path: Path = tmp_path_factory.mktemp("doc") / "stock.yaml"
    path.write_text(DOCUMENT)
    spec = load_feature(path)
    entity = spec.entity("Crate")
    assert entity is not None
    return list_of(entity, spec)


def test_each_filter_takes_the_parameters_its_type_allows(crates: ListDesign) -> None:
    """Ordered types get ranges, enums alternatives, a relation its id; the document's own
    filters come first, those across a relation after."""
    assert [(f.param, f.op) for f in crates.filters] == [
        ("label", FilterOp.EQ),
        ("weight", FilterOp.EQ),
        ("weight__gte", FilterOp.GTE),
        ("weight__lte", FilterOp.LTE),
        ("warehouse_id", FilterOp.EQ),
        ("fragile", FilterOp.EQ),
        ("warehouse__kind", FilterOp.EQ),
        ("warehouse__kind__in", FilterOp.IN),
    ]


def test_a_filter_across_a_relation_compares_the_parents_field(crates: ListDesign) -> None:
    across = [f for f in crates.filters if f.across is not None]
    assert {(f.owner.name, f.member, f.across.name) for f in across if f.across} == {
        ("Warehouse", "kind", "warehouse")
    }
    by_id = next(f for f in crates.filters if f.param == "warehouse_id")
    assert by_id.field is None and by_id.owner.name == "Crate"


def test_the_order_is_the_documents_then_the_id(crates: ListDesign) -> None:
    """The id breaks ties, so that keyset pages are stable; a nullable key says so."""
    assert [(s.key, s.nullable) for s in crates.sorts] == [
        ("weight", False),
        ("packed_on", True),
        ("id", False),
    ]
    assert crates.default_sort == "-weight"


def test_search_and_page_sizes_are_the_documents(crates: ListDesign) -> None:
    assert crates.search == ("label",)
    assert (crates.page_default, crates.page_max) == (10, 50)
