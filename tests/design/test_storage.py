"""The design stage's storage and value domains, built from documents alone.

What is asserted is what a database administrator or an API client would see: which
columns, keys and indexes exist (and why), and which values a request may carry. Nothing is
rendered; the renderers' golden files show how each target prints this.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from backsmith.design.storage import IndexReason, Table, index_name, table_of
from backsmith.design.values import Domain, domain_of
from backsmith.spec import load_feature
from backsmith.spec.model import FeatureSpec, FieldType, OnDelete

DOCUMENT = """\
feature: stock
entities:
  Warehouse:
    fields:
      code: {type: str, pattern: "^[A-Z]{3}$", unique: true}
      name: {type: str, max_length: 80}
      city: {type: str, max_length: 40}
      kind: {type: enum, values: [depot, store, cross_dock], default: depot}
    relations:
      parent: {to: Warehouse, required: false, on_delete: set_null}
    list:
      filter: [city, kind]
      sort: [name]
  Crate:
    owned: true
    soft_delete: true
    unique: [[owner, label]]
    fields:
      label: str
      weight: {type: decimal, precision: 8, scale: 2, min: 0, max: 5000}
      volume: {type: float, required: false}
      count: {type: int, min: 1}
      serial: {type: bigint, unique: true}
      note: {type: text, required: false, description: What the packer noted.}
      contact: {type: email, min_length: 6}
    relations:
      warehouse: {to: Warehouse, on_delete: cascade}
    list:
      filter: [warehouse.city, label]
      sort: [-weight, label]
  Shelf:
    tenant: true
    fields:
      slot: {type: str, unique: true, max_length: 8}
    relations:
      warehouse: Warehouse
    unique: [[warehouse, slot]]
    list:
      sort: [slot]
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> FeatureSpec:
    path = tmp_path_factory.mktemp("doc") / "stock.yaml"
    path.write_text(DOCUMENT)
    return load_feature(path)


def table(spec: FeatureSpec, entity: str) -> Table:
    found = spec.entity(entity)
    assert found is not None
    return table_of(found, spec, name=entity.lower() + "s")


def domain(spec: FeatureSpec, entity: str, name: str) -> Domain:
    found = spec.entity(entity)
    field = found.field(name) if found else None
    assert field is not None
    return domain_of(field)


def test_columns_carry_their_logical_type_length_and_default(spec: FeatureSpec) -> None:
    warehouse = table(spec, "Warehouse")

    assert warehouse.column("name").length == 80
    assert warehouse.column("code").length is None  # a pattern is no column length
    kind = warehouse.column("kind")
    assert (kind.kind, kind.length, kind.default) == (FieldType.ENUM, len("cross_dock"), "depot")
    crate = table(spec, "Crate")
    assert (crate.column("weight").precision, crate.column("weight").scale) == (8, 2)
    assert crate.column("contact").length == 320
    assert crate.column("note").comment == "What the packer noted."
    assert crate.column("volume").nullable and not crate.column("label").nullable


def test_each_index_says_why_it_exists(spec: FeatureSpec) -> None:
    warehouse = table(spec, "Warehouse")
    crate = table(spec, "Crate")

    # Filtered, so indexed; `name` is sorted, so the sort index serves its filter.
    assert warehouse.column("city").why_indexed is IndexReason.FILTERED
    assert warehouse.column("kind").why_indexed is IndexReason.FILTERED
    assert not warehouse.column("name").indexed
    # A unique column is indexed by its UNIQUE.
    assert not warehouse.column("code").indexed and warehouse.column("code").unique
    # Another entity's list filters on `warehouse.city`: the same index serves it.
    assert [(i.columns, i.why) for i in warehouse.indexes] == [(("name", "id"), IndexReason.SORTED)]
    # An owned entity's lists page per owner too.
    assert [(i.columns, i.why) for i in crate.indexes if not i.unique] == [
        (("weight", "id"), IndexReason.SORTED),
        (("owner_id", "weight", "id"), IndexReason.SORTED_PER_OWNER),
        (("label", "id"), IndexReason.SORTED),
        (("owner_id", "label", "id"), IndexReason.SORTED_PER_OWNER),
    ]


def test_soft_delete_keeps_uniqueness_among_live_rows_only(spec: FeatureSpec) -> None:
    crate = table(spec, "Crate")

    assert crate.unique_constraints == ()
    assert not crate.column("serial").unique  # no UNIQUE deleted rows would keep holding
    live = [(i.columns, i.unique, i.live_only) for i in crate.indexes if i.live_only]
    assert live == [(("serial",), True, True), (("owner_id", "label"), True, True)]


def test_a_tenant_holds_every_uniqueness_per_tenant(spec: FeatureSpec) -> None:
    shelf = table(spec, "Shelf")

    assert shelf.unique_groups == (("tenant", "slot"), ("tenant", "warehouse_id", "slot"))
    assert shelf.unique_constraints == shelf.unique_groups
    assert not shelf.column("slot").unique
    assert shelf.indexes[0].columns == ("tenant", "slot", "id")


def test_foreign_keys_name_their_target_and_what_a_delete_does(spec: FeatureSpec) -> None:
    crate = table(spec, "Crate")
    warehouse = table(spec, "Warehouse")

    assert [(k.column, k.target, k.on_delete, k.nullable) for k in crate.foreign_keys] == [
        ("owner_id", "User", OnDelete.CASCADE, False),
        ("warehouse_id", "Warehouse", OnDelete.CASCADE, False),
    ]
    assert [(k.column, k.on_delete, k.nullable) for k in warehouse.foreign_keys] == [
        ("parent_id", OnDelete.SET_NULL, True)
    ]
    assert {k.why_indexed for k in crate.foreign_keys} == {IndexReason.FOREIGN_KEY}


def test_index_names_fit_postgresql_and_stay_apart() -> None:
    long = index_name("warehouse_inventory_movements", ("source_location_id", "created_at", "id"))
    other = index_name("warehouse_inventory_movements", ("source_location_id", "created_at", "x"))

    assert len(long) == 63 and len(other) == 63
    assert long != other


def test_a_domain_bounds_what_the_document_leaves_open(spec: FeatureSpec) -> None:
    count = domain(spec, "Crate", "count")
    assert (count.minimum, count.maximum) == (1, 2**31 - 1)  # the column's range above
    serial = domain(spec, "Crate", "serial")
    assert (serial.minimum, serial.maximum) == (-(2**63), 2**63 - 1)
    weight = domain(spec, "Crate", "weight")
    assert (weight.minimum, weight.maximum) == (Decimal(0), Decimal(5000))
    assert (weight.digits, weight.places, weight.finite) == (8, 2, True)
    assert domain(spec, "Crate", "volume").finite
    note = domain(spec, "Crate", "note")
    assert note.nul_free and note.pattern is None
    code = domain(spec, "Warehouse", "code")
    assert code.pattern == "^[A-Z]{3}$" and code.nul_free
    contact = domain(spec, "Crate", "contact")
    assert (contact.min_length, contact.column_limit, contact.nul_free) == (6, 320, False)


def test_a_read_only_optional_field_gets_its_default_from_the_column(
    tmp_path: Path,
) -> None:
    """Soak seed 9, document 32: no request carries a read-only field, so its column is
    where its default comes from; an optional field a client may send gets it from the
    create schema instead (a null it sends must stay null)."""
    path = tmp_path / "tally.yaml"
    path.write_text(
        "feature: shop\nentities:\n  Tally:\n    fields:\n"
        "      stage: {type: enum, values: [draft, published], required: false,"
        " default: published, read_only: true}\n"
        "      note: {type: str, required: false, default: none}\n",
        encoding="utf-8",
    )
    spec = load_feature(path)
    tally = table(spec, "Tally")

    assert (tally.column("stage").has_default, tally.column("stage").default) == (
        True,
        "published",
    )
    assert not tally.column("note").has_default
