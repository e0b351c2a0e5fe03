"""The expression language of cross-field checks: parse, type-check, print as Python.

```
due_on is null or due_on >= opened_on
priority <= 3 or (body is not null and status in ["open", "in_progress"])
price * quantity <= 10000 and ends_at - starts_at <= 30
```

Grammar (lowest precedence first), read from Python's own tokenizer by recursive descent:

```
expression := and_expr ("or" and_expr)*
and_expr   := not_expr ("and" not_expr)*
not_expr   := "not" not_expr | comparison
comparison := sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum
                  | "is" ["not"] "null"
                  | ["not"] "in" "[" sum ("," sum)* "]" ]
sum        := product (("+" | "-") product)*
product    := unary (("*" | "/") unary)*
unary      := "-" unary | atom
atom       := NUMBER | STRING | "true" | "false" | "null" | FIELD
            | ("date" | "datetime" | "time") "(" STRING ")" | "(" expression ")"
```

Nothing is ever evaluated with `eval`: the tree is checked against the entity's fields
(every name exists, every operator gets the types it works on) and then printed as calls
to the small runtime in the generated project (`app/core/checks.py`), where a comparison
with an empty (null) value is unknown and an unknown check passes, as in SQL.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from backsmith.spec.load import suggest
from backsmith.spec.model import NUMERIC_TYPES, STRING_TYPES, Field, FieldType


class ExpressionError(ValueError):
    """A mistake in an expression; `offset` is (line, column) in the expression, 0-based."""

    def __init__(self, message: str, offset: tuple[int, int], hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


class Kind(StrEnum):
    NUMBER = "number"
    TEXT = "text"
    BOOL = "true/false"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    NULL = "null"


_FIELD_KINDS = {
    **dict.fromkeys(NUMERIC_TYPES, Kind.NUMBER),
    **dict.fromkeys(STRING_TYPES, Kind.TEXT),
    FieldType.UUID: Kind.TEXT,
    FieldType.ENUM: Kind.TEXT,
    FieldType.BOOL: Kind.BOOL,
    FieldType.DATE: Kind.DATE,
    FieldType.DATETIME: Kind.DATETIME,
    FieldType.TIME: Kind.TIME,
}
_TEMPORAL = (Kind.DATE, Kind.DATETIME)
_ORDERED = (Kind.NUMBER, Kind.DATE, Kind.DATETIME, Kind.TIME)
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
_KEYWORDS = ("and", "or", "not", "in", "is", "null", "true", "false")
_CONSTRUCTORS = {"date": Kind.DATE, "datetime": Kind.DATETIME, "time": Kind.TIME}


# --------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Node:
    kind: Kind
    at: tuple[int, int]
    values: tuple[str, ...] = ()  # for an enum field: the values it can take


@dataclass(frozen=True)
class Literal(Node):
    value: Any = None


@dataclass(frozen=True)
class Name(Node):
    name: str = ""


@dataclass(frozen=True)
class Operation(Node):
    """`op` applied to `operands`: and, or, not, a comparison, arithmetic, is null, in."""

    op: str = ""
    operands: tuple[Node, ...] = ()


def names_in(node: Node) -> list[str]:
    """The field names an expression reads, in order of first appearance."""
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Operation):
        found: list[str] = []
        for operand in node.operands:
            found += [name for name in names_in(operand) if name not in found]
        return found
    return []


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class _Token:
    type: int
    text: str
    at: tuple[int, int]


def _tokens(text: str) -> list[_Token]:
    skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT}
    found: list[_Token] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text.strip("\n")).readline):
            if token.type in skip:
                continue
            if token.type == tokenize.ERRORTOKEN and not token.string.isspace():
                at = (token.start[0] - 1, token.start[1])
                raise ExpressionError(f"unexpected character `{token.string}`", at)
            if token.type == tokenize.OP and token.string not in _OPERATOR_TOKENS:
                at = (token.start[0] - 1, token.start[1])
                raise ExpressionError(
                    f"`{token.string}` is not an operator of checks",
                    at,
                    "use ==, !=, <, <=, >, >=, +, -, *, /, and, or, not, in, is null",
                )
            if token.type != tokenize.ERRORTOKEN:
                found.append(_Token(token.type, token.string, (token.start[0] - 1, token.start[1])))
    except tokenize.TokenError as exc:
        lines = text.strip("\n").splitlines() or [""]
        raise ExpressionError(
            "the expression is not closed (a bracket or quote is missing)",
            (len(lines) - 1, len(lines[-1])),
        ) from exc
    except SyntaxError as exc:  # an unterminated string on one line
        raise ExpressionError(
            "a text is not closed", ((exc.lineno or 1) - 1, (exc.offset or 1) - 1)
        ) from exc
    return found


_OPERATOR_TOKENS = frozenset({*_COMPARISONS, "+", "-", "*", "/", "(", ")", "[", "]", ","})


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, Field]) -> None:
        self.text = text
        self.fields = fields
        self.tokens = _tokens(text)
        self.position = 0

    # ---- token helpers

    def peek(self, *texts: str) -> bool:
        token = self.current
        return token is not None and token.type != tokenize.STRING and token.text in texts

    @property
    def current(self) -> _Token | None:
        if self.position < len(self.tokens) and self.tokens[self.position].type != (
            tokenize.ENDMARKER
        ):
            return self.tokens[self.position]
        return None

    def take(self) -> _Token:
        token = self.current
        if token is None:
            raise ExpressionError("the expression ends too early", self.end)
        self.position += 1
        return token

    def expect(self, text: str, what: str) -> _Token:
        token = self.current
        if token is None or token.text != text:
            raise ExpressionError(f"expected {what}", token.at if token else self.end)
        return self.take()

    @property
    def end(self) -> tuple[int, int]:
        lines = self.text.strip("\n").splitlines() or [""]
        return (len(lines) - 1, len(lines[-1]))

    # ---- grammar

    def parse(self) -> Node:
        if self.current is None:
            raise ExpressionError("the check is empty", (0, 0), "write a condition, e.g. a <= b")
        node = self.expression()
        if self.current is not None:
            raise ExpressionError(
                f"unexpected `{self.current.text}`",
                self.current.at,
                "join conditions with `and` or `or`",
            )
        if node.kind is not Kind.BOOL:
            raise ExpressionError(
                f"a check must be a condition, but this is a {node.kind.value}",
                node.at,
                "compare it: e.g. `total > 0`",
            )
        return node

    def expression(self) -> Node:
        return self._logical("or", self.and_expr)

    def and_expr(self) -> Node:
        return self._logical("and", self.not_expr)

    def _logical(self, op: str, operand: Any) -> Node:
        first: Node = operand()
        operands = [first]
        while self.peek(op):
            token = self.take()
            operands.append(operand())
            for node in (operands[0], operands[-1]):
                _need(node, (Kind.BOOL,), f"`{op}`", token.at)
        if len(operands) == 1:
            return first
        return Operation(Kind.BOOL, first.at, op=op, operands=tuple(operands))

    def not_expr(self) -> Node:
        if self.peek("not"):
            token = self.take()
            operand = self.not_expr()
            _need(operand, (Kind.BOOL,), "`not`", token.at)
            return Operation(Kind.BOOL, token.at, op="not", operands=(operand,))
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        if self.peek(*_COMPARISONS):
            token = self.take()
            right = self.sum()
            _check_comparison(token, left, right)
            return Operation(Kind.BOOL, left.at, op=token.text, operands=(left, right))
        if self.peek("is"):
            self.take()
            negated = self.peek("not")
            if negated:
                self.take()
            self.expect("null", "`null` after `is` (`x is null`, `x is not null`)")
            op = "is not null" if negated else "is null"
            return Operation(Kind.BOOL, left.at, op=op, operands=(left,))
        if self.peek("in") or (self.peek("not") and self._next_is("in")):
            op = "not in" if self.take().text == "not" else "in"
            if op == "not in":
                self.take()
            options = self.options(left)
            return Operation(Kind.BOOL, left.at, op=op, operands=(left, *options))
        return left

    def _next_is(self, text: str) -> bool:
        following = self.position + 1
        return following < len(self.tokens) and self.tokens[following].text == text

    def options(self, left: Node) -> list[Node]:
        self.expect("[", 'a list after `in`, e.g. in ["a", "b"]')
        options = [self.sum()]
        while self.peek(","):
            self.take()
            options.append(self.sum())
        self.expect("]", "`]` to close the list")
        for option in options:
            _check_same_kind(left, option, "in", option.at)
        return options

    def sum(self) -> Node:
        node = self.product()
        while self.peek("+", "-"):
            token = self.take()
            right = self.product()
            node = Operation(
                _arithmetic_kind(token, node, right), node.at, op=token.text, operands=(node, right)
            )
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.peek("*", "/"):
            token = self.take()
            right = self.unary()
            for operand in (node, right):
                _need(operand, (Kind.NUMBER,), f"`{token.text}`", operand.at)
            node = Operation(Kind.NUMBER, node.at, op=token.text, operands=(node, right))
        return node

    def unary(self) -> Node:
        if self.peek("-"):
            token = self.take()
            operand = self.unary()
            _need(operand, (Kind.NUMBER,), "`-`", token.at)
            return Operation(Kind.NUMBER, token.at, op="neg", operands=(operand,))
        return self.atom()

    def atom(self) -> Node:
        token = self.take()
        if token.type == tokenize.NUMBER:
            return Literal(Kind.NUMBER, token.at, value=_number(token))
        if token.type == tokenize.STRING:
            return Literal(Kind.TEXT, token.at, value=_string(token))
        if token.text == "(":
            node = self.expression()
            self.expect(")", "`)` to close the bracket")
            return node
        if token.type == tokenize.NAME:
            return self.name(token)
        raise ExpressionError(f"unexpected `{token.text}`", token.at, "expected a value or a field")

    def name(self, token: _Token) -> Node:
        word = token.text
        if word in ("true", "false"):
            return Literal(Kind.BOOL, token.at, value=word == "true")
        if word == "null":
            return Literal(Kind.NULL, token.at, value=None)
        if word in _CONSTRUCTORS and self.peek("("):
            return self.constructor(token)
        if word in _KEYWORDS:
            raise ExpressionError(f"`{word}` cannot stand here", token.at)
        field = self.fields.get(word)
        if field is None:
            usable = [name for name, f in self.fields.items() if f.type in _FIELD_KINDS]
            raise ExpressionError(
                f"`{word}` is not a field of this entity",
                token.at,
                suggest(word, usable) or f"fields: {', '.join(usable)}",
            )
        kind = _FIELD_KINDS.get(field.type)
        if kind is None:
            raise ExpressionError(
                f"`{word}` is a {field.type.value} field, which checks cannot read", token.at
            )
        return Name(kind, token.at, values=field.values, name=word)

    def constructor(self, token: _Token) -> Node:
        kind = _CONSTRUCTORS[token.text]
        self.expect("(", "`(`")
        argument = self.take()
        self.expect(")", "`)` after the text")
        parse = {Kind.DATE: date.fromisoformat, Kind.DATETIME: datetime.fromisoformat}.get(
            kind, time.fromisoformat
        )
        text = _string(argument) if argument.type == tokenize.STRING else None
        try:
            value = parse(text) if text is not None else None
        except ValueError:
            value = None
        if value is None or (kind is Kind.DATE and isinstance(value, datetime)):
            examples = {
                Kind.DATE: '"2024-05-31"',
                Kind.DATETIME: '"2024-05-31T09:30:00Z"',
                Kind.TIME: '"09:30"',
            }
            raise ExpressionError(
                f"{token.text}(...) needs an ISO {kind.value} in quotes",
                argument.at,
                f"e.g. {token.text}({examples[kind]})",
            )
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # as the generated API reads naive datetimes
        return Literal(kind, token.at, value=value)


def _number(token: _Token) -> int | Decimal:
    try:
        return int(token.text) if token.text.isdigit() else Decimal(token.text.replace("_", ""))
    except InvalidOperation:
        raise ExpressionError(f"`{token.text}` is not a number", token.at) from None


def _string(token: _Token) -> str:
    text = token.text
    if text[:1] not in "\"'" or text[-1:] != text[:1] or text.startswith(('"""', "'''")):
        raise ExpressionError("write text in plain single or double quotes", token.at)
    body = text[1:-1]
    if "\\" in body:
        raise ExpressionError("text in checks cannot contain backslashes", token.at)
    return body


# --------------------------------------------------------------------------- types


def _need(node: Node, kinds: tuple[Kind, ...], what: str, at: tuple[int, int]) -> None:
    if node.kind in kinds:
        return
    wanted = " or ".join(kind.value for kind in kinds)
    hint = "test for emptiness with `is null`" if node.kind is Kind.NULL else None
    raise ExpressionError(f"{what} needs {wanted}, not {_describe(node)}", at, hint)


def _describe(node: Node) -> str:
    if isinstance(node, Name):
        return f"the {node.kind.value} field `{node.name}`"
    return "null" if node.kind is Kind.NULL else f"a {node.kind.value}"


def _check_same_kind(left: Node, right: Node, op: str, at: tuple[int, int]) -> None:
    if Kind.NULL in (left.kind, right.kind):
        raise ExpressionError(
            f"`{op}` with null is never true", at, "test for emptiness with `is null`"
        )
    if left.kind is not right.kind:
        raise ExpressionError(
            f"`{op}` compares {_describe(left)} with {_describe(right)}",
            at,
            "both sides must be of the same kind",
        )
    for enum, other in ((left, right), (right, left)):
        if enum.values and isinstance(other, Literal) and other.value not in enum.values:
            raise ExpressionError(
                f"`{other.value}` is not a value of `{_name(enum)}`",
                other.at,
                suggest(str(other.value), enum.values) or f"values: {', '.join(enum.values)}",
            )


def _name(node: Node) -> str:
    return node.name if isinstance(node, Name) else "?"


def _check_comparison(token: _Token, left: Node, right: Node) -> None:
    _check_same_kind(left, right, token.text, token.at)
    if token.text not in ("==", "!=") and left.kind not in _ORDERED:
        raise ExpressionError(
            f"`{token.text}` orders numbers, dates, datetimes and times, not {_describe(left)}",
            token.at,
        )


def _arithmetic_kind(token: _Token, left: Node, right: Node) -> Kind:
    """number ± number; date/datetime ± number of days; date/datetime - same: days."""
    kinds = (left.kind, right.kind)
    if kinds == (Kind.NUMBER, Kind.NUMBER):
        return Kind.NUMBER
    if left.kind in _TEMPORAL and right.kind is Kind.NUMBER:
        return left.kind
    if token.text == "+" and left.kind is Kind.NUMBER and right.kind in _TEMPORAL:
        return right.kind
    if token.text == "-" and left.kind in _TEMPORAL and left.kind is right.kind:
        return Kind.NUMBER
    raise ExpressionError(
        f"`{token.text}` cannot combine {_describe(left)} and {_describe(right)}",
        token.at,
        "numbers add and subtract; a date or datetime moves by a number of days, and "
        "subtracting two of them gives days",
    )


# --------------------------------------------------------------------------- public


def parse_expression(text: str, fields: Mapping[str, Field]) -> Node:
    """Parse and type-check `text` against `fields`; raises ExpressionError."""
    return _Parser(text, fields).parse()


# The helper of the checks' runtime (`runtime/checks.py`) each operator calls;
# `design/checks.py` evaluates test data with the same helpers, so both read this one table.
RUNTIME_CALLS = {
    "and": "all_of",
    "or": "any_of",
    "not": "negate",
    "+": "plus",
    "-": "minus",
    "*": "times",
    "/": "divided",
    "neg": "negative",
}


def to_python(node: Node, row: str = "row") -> str:
    """Python source evaluating `node` over the mapping `row` with `app.core.checks`."""
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, Name):
        return f"{row}[{node.name!r}]"
    assert isinstance(node, Operation)  # noqa: S101 - the three node kinds
    args = [to_python(operand, row) for operand in node.operands]
    if node.op in _COMPARISONS:
        return f"compare({args[0]}, {node.op!r}, {args[1]})"
    if node.op in ("is null", "is not null"):
        return f"({args[0]} {node.op.replace('null', 'None')})"
    if node.op in ("in", "not in"):
        call = "member" if node.op == "in" else "not_member"
        return f"{call}({args[0]}, ({', '.join(args[1:])},))"
    return f"{RUNTIME_CALLS[node.op]}({', '.join(args)})"


def _literal(node: Literal) -> str:
    value = node.value
    if isinstance(value, Decimal):
        return f'Decimal("{value}")'
    if isinstance(value, (date, datetime, time)):
        return f"{type(value).__name__}.fromisoformat({value.isoformat()!r})"
    return repr(value)
