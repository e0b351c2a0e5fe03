"""Test data for cross-field checks: rows that meet every check, and one that breaks each.

Checks are evaluated with the generated project's own runtime (`app/core/checks.py`, loaded
from the templates), so backsmith and the generated code agree on what each check means.
The search is a bounded walk over each field's valid sample values: deterministic, so the
same document always gives the same tests.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from backsmith.design.samples import (
    SampleError,
    boundary_cases,
    mirrored_value,
    near_value,
    valid_value,
)
from backsmith.spec.expressions import RUNTIME_CALLS, Literal, Name, Node, Operation, names_in
from backsmith.spec.model import Check, Field, FieldType

RUNTIME = Path(__file__).parent / "templates" / "project" / "app" / "core" / "checks.py"
CANDIDATES = 12  # sample values tried per field
MAX_COMBINATIONS = 20_000


@cache
def _runtime() -> ModuleType:
    spec = importlib.util.spec_from_file_location("backsmith_check_runtime", RUNTIME)
    assert spec is not None and spec.loader is not None  # noqa: S101 - a file we ship
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate(node: Node, row: dict[str, Any]) -> bool | None:
    """True, False or unknown (None): the check's verdict on a row of Python values."""
    value = _value(node, row)
    return None if value is None else bool(value)


def _value(node: Node, row: dict[str, Any]) -> Any:
    runtime = _runtime()
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return row.get(node.name)
    assert isinstance(node, Operation)  # noqa: S101 - the three node kinds
    args = [_value(operand, row) for operand in node.operands]
    if node.op in ("is null", "is not null"):
        return (args[0] is None) == (node.op == "is null")
    if node.op in ("in", "not in"):
        call = runtime.member if node.op == "in" else runtime.not_member
        return call(args[0], args[1:])
    if node.op in ("==", "!=", "<", "<=", ">", ">="):
        return runtime.compare(args[0], node.op, args[1])
    return getattr(runtime, RUNTIME_CALLS[node.op])(*args)


def python_value(field: Field, value: Any) -> Any:
    """A JSON test value as the service sees it (dates parsed, decimals exact)."""
    if value is None or not isinstance(value, (str, int, float)):
        return value  # None, or a default already of the Python type
    if field.type is FieldType.DECIMAL:
        return Decimal(str(value))
    if field.type is FieldType.FLOAT:
        return float(value)
    if field.type is FieldType.DATE:
        return date.fromisoformat(str(value))
    if field.type is FieldType.DATETIME:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if field.type is FieldType.TIME:
        return time.fromisoformat(str(value))
    return value


class CheckData:
    """Verdicts and searches over rows of one entity."""

    def __init__(self, fields: dict[str, Field], checks: tuple[Check, ...]) -> None:
        self.fields = fields
        self.checks = checks
        self._compared: dict[str, list[Any]] = {}  # field -> its constants, read once

    def row(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            name: python_value(field, payload.get(name, field.default))
            for name, field in self.fields.items()
        }

    def verdicts(self, payload: dict[str, Any]) -> list[bool | None]:
        row = self.row(payload)
        return [evaluate(check.tree, row) for check in self.checks]

    def find(
        self,
        payload: dict[str, Any],
        names: tuple[str, ...],
        wanted: Callable[[dict[str, Any]], bool],
    ) -> dict[str, Any] | None:
        """Values of `names` (create fields) that, over `payload`, make `wanted` true."""
        names = tuple(name for name in names if name in payload)
        found = self._search(payload, names, 0, wanted)
        return None if found is None else {name: found[name] for name in names}

    def meets_all(self, payload: dict[str, Any]) -> bool:
        return False not in self.verdicts(payload)

    def candidates(self, name: str, start: int) -> list[Any]:
        """Valid values of a field to try, beginning at sample `start`."""
        field = self.fields[name]
        values: list[Any] = []
        for k in range(CANDIDATES):
            try:
                values.append(valid_value(field, start + k))
            except SampleError:
                break
        values += [case.value for case in boundary_cases(field) if case.valid]
        if field.nullable:
            values.append(None)
        # Then the same numbers with the other sign, distinct per sample as the naturals
        # are, for checks such as `x <= 0` on a field that must also be unique.
        for k in range(CANDIDATES):
            try:
                values.append(mirrored_value(field, start + k))
            except SampleError:
                continue
        # Last, numbers on both sides of each constant the checks compare the field with,
        # for `x <= -48`, which neither sequence reaches.
        for constant in self._constants(name):
            for k in range(CANDIDATES):
                for offset in (-(start + k), start + k):
                    try:
                        values.append(near_value(field, constant, offset))
                    except SampleError:
                        continue
        return list(dict.fromkeys(values))  # checks read scalar fields only: all hashable

    def _constants(self, name: str) -> list[Any]:
        """The constants the checks compare field `name` with (`name <= -48`, `3 < name`):
        read from the trees once per field, as every search asks for each field's values."""
        if name not in self._compared:
            self._compared[name] = self._read_constants(name)
        return self._compared[name]

    def _read_constants(self, name: str) -> list[Any]:
        found: list[Any] = []
        pending: list[Node] = [check.tree for check in self.checks]
        while pending:
            node = pending.pop()
            if not isinstance(node, Operation):
                continue
            pending.extend(node.operands)
            if node.op in ("==", "!=", "<", "<=", ">", ">=") and len(node.operands) == 2:
                left, right = node.operands
                for one, other in ((left, right), (right, left)):
                    # A constant side: a literal, or arithmetic on literals (`-48`).
                    if isinstance(one, Name) and one.name == name and not names_in(other):
                        found.append(_value(other, {}))
        return list(dict.fromkeys(value for value in found if value is not None))

    def _search(
        self, base: dict[str, Any], names: tuple[str, ...], start: int, wanted: Any
    ) -> dict[str, Any] | None:
        pools = [self.candidates(name, start) for name in names]
        for values in itertools.islice(itertools.product(*pools), MAX_COMBINATIONS):
            candidate = {**base, **dict(zip(names, values, strict=True))}
            if wanted(candidate):
                return candidate
        return None

    def satisfying(
        self,
        payload: dict[str, Any],
        index: int,
        also: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any] | None:
        """`payload`, or a variant of its checked fields that meets every check (and
        `also`, when given)."""

        def wanted(candidate: dict[str, Any]) -> bool:
            return self.meets_all(candidate) and (also is None or also(candidate))

        if wanted(payload):
            return payload
        names = tuple(
            name
            for name in dict.fromkeys(n for c in self.checks for n in c.fields)
            if name in payload
        )
        return self._search(payload, names, index, wanted)

    def breaking(self, payload: dict[str, Any], position: int) -> dict[str, Any] | None:
        """Values of check `position`'s fields that break it and no check before it."""
        check = self.checks[position]
        names = tuple(name for name in check.fields if name in payload)

        def breaks_first(candidate: dict[str, Any]) -> bool:
            verdicts = self.verdicts(candidate)
            return verdicts[position] is False and False not in verdicts[:position]

        found = self._search(payload, names, 0, breaks_first)
        return None if found is None else {name: found[name] for name in names}

    def update_patch(
        self, row: dict[str, Any], breaking: dict[str, Any], updatable: set[str], position: int
    ) -> dict[str, Any] | None:
        """The smallest part of `breaking` that, PATCHed onto `row`, breaks check `position`
        first: one field when one suffices, so the test shows the merged row is checked."""
        names = [name for name in breaking if name in updatable]
        subsets = [(name,) for name in names] + [tuple(names)]
        for subset in subsets:
            patch = {name: breaking[name] for name in subset}
            verdicts = self.verdicts({**row, **patch})
            if verdicts[position] is False and False not in verdicts[:position]:
                return patch
        return None
