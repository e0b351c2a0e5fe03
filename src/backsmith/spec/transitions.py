"""`transitions:` of an entity: the allowed moves of its enum fields.

```yaml
transitions:
  status:
    open: [in_progress, closed]
    in_progress: [resolved, open]
    resolved: [closed]
```

A value the mapping leaves out is final: no move leads out of it.
"""

from __future__ import annotations

from collections.abc import Mapping

from yaml.nodes import Node, SequenceNode

from backsmith.spec.load import Entry, Source, entries, is_null, show, suggest, text_of
from backsmith.spec.model import Field, FieldType, Transitions


def parse_transitions(
    source: Source, entry: Entry | None, fields: Mapping[str, Field], entity: str
) -> tuple[Transitions, ...]:
    """Check `transitions:` against the entity's fields and build one `Transitions` each."""
    if entry is None or is_null(entry.value):
        return ()
    result: list[Transitions] = []
    for item in entries(source, entry.value, "`transitions`"):
        field = _enum_field(source, item, fields, entity)
        result.append(
            Transitions(
                field=field.name,
                moves=_moves(source, item, field),
                location=source.of(item.key_node),
            )
        )
    return tuple(result)


def _enum_field(source: Source, item: Entry, fields: Mapping[str, Field], entity: str) -> Field:
    field = fields.get(item.key)
    enums = [f.name for f in fields.values() if f.type is FieldType.ENUM]
    if field is None:
        source.fail(
            item.key_node,
            f"`transitions` names `{show(item.key)}`, which is not a field of {entity}",
            suggest(item.key, enums) or f"enum fields: {', '.join(enums) or 'none'}",
        )
    if field.type is not FieldType.ENUM:
        source.fail(
            item.key_node,
            f"`{field.name}` is a {field.type.value} field; transitions apply to enum fields",
            f"enum fields: {', '.join(enums)}" if enums else "declare it as {enum: [a, b]}",
        )
    if field.nullable:
        source.fail(
            item.key_node,
            f"`{field.name}` is optional; transitions need a field that always has a value",
            "make it required, with a default for new rows: {enum: [...], default: VALUE}",
        )
    if field.read_only or field.immutable:
        flag = "read_only" if field.read_only else "immutable"
        source.fail(
            item.key_node,
            f"`{field.name}` is {flag}: no update can move it, so transitions say nothing",
            f"remove {flag}, or the transitions",
        )
    if field.write_only:
        source.fail(
            item.key_node,
            f"`{field.name}` is write_only: clients could not see the state they move",
            "remove write_only",
        )
    if field.guarded:
        source.fail(
            item.key_node,
            f"`{field.name}` has a read rule: a refused move's 409 names the current value, "
            "which some callers may not see",
            "remove the field's `access.read`, or the transitions",
        )
    return field


def _moves(source: Source, item: Entry, field: Field) -> dict[str, tuple[str, ...]]:
    moves: dict[str, tuple[str, ...]] = dict.fromkeys(field.values, ())
    for move in entries(source, item.value, f"the transitions of `{field.name}`"):
        _check_value(source, move.key_node, move.key, field)
        targets: list[str] = []
        for node in _target_nodes(move.value):
            target = text_of(source, node, "a transition target")
            _check_value(source, node, target, field)
            if target == move.key:
                source.fail(
                    node,
                    f"`{target}` -> `{target}` is not a move: keeping a value is always allowed",
                    "remove it",
                )
            if target in targets:
                source.fail(node, f"`{target}` is listed twice for `{move.key}`", "remove one")
            targets.append(target)
        moves[move.key] = tuple(targets)
    return moves


def _target_nodes(node: Node) -> list[Node]:
    """`[a, b]`, a single `a`, or nothing (`closed: []` or `closed:`: a final value)."""
    if is_null(node):
        return []
    return list(node.value) if isinstance(node, SequenceNode) else [node]


def _check_value(source: Source, node: Node, value: str, field: Field) -> None:
    if value not in field.values:
        source.fail(
            node,
            f"`{show(value)}` is not a value of the enum field `{field.name}`",
            suggest(value, field.values) or f"values: {', '.join(field.values)}",
        )
