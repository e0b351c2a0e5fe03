"""`checks:` of an entity: cross-field rules written in the expression language.

```yaml
checks:
  - rule: due_on is null or due_on >= opened_on
    message: The due date cannot be before the day the ticket was opened.
```

Each rule is parsed and type-checked against the entity's fields here, so a mistake
points at its own line and column inside the rule. (Relations are not readable yet: their
ids are numbers that mean nothing to compare.)
"""

from __future__ import annotations

from collections.abc import Mapping

from yaml.nodes import Node, ScalarNode

from backsmith.errors import Location, SpecError
from backsmith.spec.expressions import ExpressionError, names_in, parse_expression
from backsmith.spec.load import Entry, Source, entries, is_null, items_of, show, text_of
from backsmith.spec.model import Check, Field

CHECK_KEYS = ("rule", "message")


def parse_checks(
    source: Source,
    entry: Entry | None,
    fields: Mapping[str, Field],
) -> tuple[Check, ...]:
    if entry is None or is_null(entry.value):
        return ()
    checks: list[Check] = []
    for item in items_of(source, entry.value, "`checks`"):
        found = {e.key: e for e in entries(source, item, "a check")}
        for key, found_entry in found.items():
            if key not in CHECK_KEYS:
                source.fail(
                    found_entry.key_node,
                    f"unknown key `{show(key)}` in a check",
                    "a check has `rule` and `message`",
                )
        for key in CHECK_KEYS:
            if key not in found:
                source.fail(item, f"a check has no `{key}`", _example())
        checks.append(build_check(source, found["rule"].value, found["message"].value, fields))
    return tuple(checks)


def build_check(
    source: Source,
    rule_node: Node,
    message_node: Node | None,
    fields: Mapping[str, Field],
    default_message: str = "",
) -> Check:
    """A rule and its message, the rule parsed and type-checked against `fields`."""
    rule = text_of(source, rule_node, "`rule`")
    message = default_message
    if message_node is not None:
        message = text_of(source, message_node, "`message`").strip()
        if not message:
            source.fail(message_node, "the message is empty", "say what is wrong")
    try:
        tree = parse_expression(rule, fields)
    except ExpressionError as error:
        raise SpecError(
            error.message, _location(source, rule_node, error.offset), hint=error.hint
        ) from None
    return Check(
        rule=" ".join(rule.split()),
        message=message,
        tree=tree,
        fields=tuple(names_in(tree)),
        location=source.of(rule_node),
    )


def _example() -> str:
    return "write - {rule: a <= b, message: A must not exceed B.}"


def _location(source: Source, node: Node, offset: tuple[int, int]) -> Location:
    """Where (line, column) of a rule's text is in the file.

    Exact for plain and quoted rules on one line and for literal blocks (`|`); for rules
    folded over several lines, the line of the rule's start.
    """
    line, column = offset
    mark = node.start_mark
    style = node.style if isinstance(node, ScalarNode) else None
    if style == "|" and mark.buffer is not None:
        lines = str(mark.buffer).splitlines()
        first = mark.line + 1
        target = first + line
        text = lines[target] if target < len(lines) else ""
        indent = len(text) - len(text.lstrip(" "))
        return source.at(target, indent + column)
    if line == 0 and style in (None, '"', "'"):
        return source.at(mark.line, mark.column + (1 if style else 0) + column)
    return source.at(mark.line, mark.column)
