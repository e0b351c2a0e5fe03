"""`computed:` of an entity: read-only counts and sums over the rows that point at it.

```yaml
Doctor:
  computed:
    appointment_count: {count: Appointment}
    minutes_booked: {sum: Appointment.minutes, via: doctor}
```

`via` names the relation of the counted entity that points at this one; it may be left
out when there is exactly one. The entity-level syntax is read with the entity; which
relation links the two is only known once every entity is read (`resolve_computed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from yaml.nodes import Node

from backsmith.errors import SpecError
from backsmith.spec.load import (
    Entry,
    Source,
    check_keys,
    entries,
    is_null,
    show,
    suggest,
    text_of,
)
from backsmith.spec.model import NUMERIC_TYPES, Computed, ComputedKind, Entity

COMPUTED_KEYS = ("count", "sum", "via")
_COUNT = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_SUM = re.compile(r"^(?P<entity>[A-Z][A-Za-z0-9]*)\.(?P<field>[a-z][a-z0-9_]*)$")


def parse_computed(
    source: Source, entry: Entry | None, check_name: Callable[[Node, str], None]
) -> tuple[Computed, ...]:
    """Read `computed:`; the entities and relations it names are checked later."""
    if entry is None or is_null(entry.value):
        return ()
    result: list[Computed] = []
    for item in entries(source, entry.value, "`computed`"):
        check_name(item.key_node, item.key)
        result.append(_one(source, item))
    return tuple(result)


def _one(source: Source, item: Entry) -> Computed:
    what = f"computed field `{item.key}`"
    found = entries(source, item.value, what)
    check_keys(source, found, COMPUTED_KEYS, what)
    body = {e.key: e for e in found}
    kinds = [kind for kind in ComputedKind if kind.value in body]
    if len(kinds) != 1:
        source.fail(
            item.key_node,
            f"{what} needs exactly one of `count` or `sum`",
            "write {count: Appointment} or {sum: Appointment.minutes}",
        )
    kind = kinds[0]
    value_node = body[kind.value].value
    text = text_of(source, value_node, f"`{kind.value}`").strip()
    pattern = _COUNT if kind is ComputedKind.COUNT else _SUM
    match = pattern.match(text)
    if match is None:
        example = "Appointment" if kind is ComputedKind.COUNT else "Appointment.minutes"
        source.fail(
            value_node,
            f"cannot read `{kind.value}: {show(text)}` in {what}",
            f"write `{kind.value}: {example}`",
        )
    via = None
    if "via" in body:
        via = text_of(source, body["via"].value, "`via`").strip()
    return Computed(
        name=item.key,
        kind=kind,
        source=match["entity"] if kind is ComputedKind.SUM else text,
        field=match["field"] if kind is ComputedKind.SUM else None,
        via=via,
        location=source.of(item.key_node),
        value_location=source.of(value_node),
        via_location=source.of(body["via"].value) if "via" in body else None,
    )


def resolve_computed(entities: Sequence[Entity]) -> tuple[Entity, ...]:
    """Check what each computed field names, and settle the relation it counts through."""
    by_name = {e.name: e for e in entities}
    return tuple(
        entity.model_copy(
            update={"computed": tuple(_resolve(entity, c, by_name) for c in entity.computed)}
        )
        if entity.computed
        else entity
        for entity in entities
    )


def _resolve(entity: Entity, computed: Computed, by_name: Mapping[str, Entity]) -> Computed:
    what = f"computed field `{computed.name}` of {entity.name}"
    counted = by_name.get(computed.source)
    if counted is None:
        raise SpecError(
            f"{what} counts `{computed.source}`, which is not an entity of the document",
            computed.value_location,
            hint=suggest(computed.source, list(by_name)) or f"entities: {', '.join(by_name)}",
        )
    if computed.kind is ComputedKind.SUM:
        field = counted.field(computed.field or "")
        # A sum of a field only some callers see would reveal it to the others.
        numbers = [
            f.name for f in counted.fields if f.type in NUMERIC_TYPES and f.publicly_listable
        ]
        if field is None or field.type not in NUMERIC_TYPES or not field.publicly_listable:
            problem = (
                "is not a field of it"
                if field is None
                else "is not a number every reader may see (int, bigint, float or decimal, "
                "neither write_only nor with a read rule)"
            )
            raise SpecError(
                f"{what} sums `{computed.source}.{computed.field}`, which {problem}",
                computed.value_location,
                hint=f"number fields of {counted.name}: {', '.join(numbers) or 'none'}",
            )
    links = [r for r in counted.relations if r.target == entity.name]
    names = ", ".join(r.name for r in links)
    if computed.via is not None:
        if computed.via not in {r.name for r in links}:
            raise SpecError(
                f"{what}: `via: {computed.via}` is not a relation of {counted.name} "
                f"to {entity.name}",
                computed.via_location,
                hint=f"relations of {counted.name} to {entity.name}: {names or 'none'}",
            )
        return computed
    if len(links) != 1:
        problem = "has no relation" if not links else f"has {len(links)} relations ({names})"
        raise SpecError(
            f"{what}: {counted.name} {problem} to {entity.name}",
            computed.value_location,
            hint=f"add `{entity.name.lower()}: {entity.name}` to the relations of {counted.name}"
            if not links
            else f"say which with `via`, e.g. via: {links[0].name}",
        )
    return computed.model_copy(update={"via": links[0].name})
