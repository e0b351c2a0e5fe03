"""`actions:` of an entity: named state changes, served as `POST /things/{id}/NAME`.

```yaml
actions:
  close:
    set: {status: closed, closed_at: now}
    when: status == "resolved"              # optional guard, in the checks' language
    message: Only a resolved ticket can be closed.
    access: ["role:agent", "role:admin"]    # optional; default: the grants of update
    description: Close a resolved ticket.
```

An action sets fields to fixed values (or, for date and datetime fields, to `today` and
`now`); it takes no body. Its guard must hold (an unknown guard does not), or the action
is a 409 with `message`.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from typing import Any

from yaml.nodes import Node, ScalarNode

from backsmith.errors import SpecError
from backsmith.spec.checks import build_check
from backsmith.spec.load import STR_TAG, Entry, Source, entries, is_null, show, suggest, text_of
from backsmith.spec.model import CustomAction, Field, FieldType, Grant

ACTION_KEYS = ("set", "when", "message", "access", "description")
# Names the generated service and router already use for the CRUD functions.
RESERVED_ACTIONS = frozenset({"list", "get", "read", "create", "update", "delete", "restore"})
NOW_WORDS = {FieldType.DATETIME: "now", FieldType.DATE: "today"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

ConvertValue = Callable[[str, Node], Any]  # checks a YAML value against a field
ReadGrants = Callable[[Node, str], tuple[Grant, ...]]


def parse_actions(
    source: Source,
    entry: Entry | None,
    fields: Mapping[str, Field],
    convert: ConvertValue,
    read_grants: ReadGrants,
    update_grants: tuple[Grant, ...],
) -> tuple[CustomAction, ...]:
    if entry is None or is_null(entry.value):
        return ()
    actions: list[CustomAction] = []
    for item in entries(source, entry.value, "`actions`"):
        _check_name(source, item)
        found = {e.key: e for e in entries(source, item.value, f"action `{item.key}`")}
        for key, found_entry in found.items():
            if key not in ACTION_KEYS:
                source.fail(
                    found_entry.key_node,
                    f"unknown key `{show(key)}` in action `{item.key}`",
                    suggest(key, ACTION_KEYS) or f"an action has {', '.join(ACTION_KEYS)}",
                )
        if "set" not in found:
            source.fail(
                item.key_node, f"action `{item.key}` sets nothing", "add set: {FIELD: VALUE}"
            )
        values, stamped = _sets(source, found["set"], fields, convert, item.key)
        guard = None
        if "when" in found:
            message = found.get("message")
            guard = build_check(
                source,
                found["when"].value,
                message.value if message else None,
                fields,
                default_message=f"The {item.key} action is not allowed for this row now.",
            )
        elif "message" in found:
            source.fail(
                found["message"].key_node,
                "`message` is what a failed `when` says, and this action has no `when`",
                "add `when:` or remove `message`",
            )
        access = update_grants
        if "access" in found:
            access = read_grants(found["access"].value, item.key)
        description = None
        if "description" in found:
            description = text_of(source, found["description"].value, "`description`")
        actions.append(
            CustomAction(
                name=item.key,
                values=values,
                stamped=stamped,
                guard=guard,
                access=access,
                description=description,
                location=source.of(item.key_node),
            )
        )
    return tuple(actions)


def _check_name(source: Source, item: Entry) -> None:
    name = item.key
    if not _NAME.match(name) or "__" in name or name.endswith("_") or keyword.iskeyword(name):
        source.fail(
            item.key_node,
            f"action name `{show(name)}` must be a snake_case word (it becomes a path and a "
            "function name)",
            "for example `close` or `mark_paid`",
        )
    if name in RESERVED_ACTIONS:
        source.fail(
            item.key_node,
            f"action name `{name}` is taken by the generated CRUD code",
            "choose another, e.g. `archive`",
        )


def _sets(
    source: Source, entry: Entry, fields: Mapping[str, Field], convert: ConvertValue, action: str
) -> tuple[dict[str, Any], tuple[str, ...]]:
    found = entries(source, entry.value, "`set`")
    if not found:
        source.fail(entry.value, f"action `{action}` sets nothing", "add FIELD: VALUE")
    values: dict[str, Any] = {}
    stamped: list[str] = []
    for item in found:
        field = fields.get(item.key)
        if field is None:
            source.fail(
                item.key_node,
                f"`set` names `{show(item.key)}`, which is not a field",
                suggest(item.key, list(fields)) or f"fields: {', '.join(fields)}",
            )
        if field.immutable:
            raise SpecError(
                f"`{field.name}` is immutable: no action may change it",
                source.of(item.key_node),
                hint="remove immutable, or leave the field out of `set`",
            )
        if field.type is FieldType.JSON:
            source.fail(item.key_node, f"actions cannot set the json field `{field.name}` yet")
        word = NOW_WORDS.get(field.type)
        node = item.value
        if word and isinstance(node, ScalarNode) and node.tag == STR_TAG and node.value == word:
            stamped.append(field.name)
            continue
        values[field.name] = convert(field.name, node)
    return values, tuple(stamped)
