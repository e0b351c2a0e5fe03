"""Test data for cross-field checks: rows that meet every check, and one that breaks each.

Checks are evaluated with the runtime every generated project gets (`runtime/checks.py`,
copied into new projects as `app/core/checks.py` and beside an existing project's
services), so backsmith and the generated code agree on what each check means.
The search is a bounded walk over each field's valid sample values: deterministic, so the
same document always gives the same tests.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from types import ModuleType
from typing import Any

from backsmith import runtime
from backsmith.design.samples import (
    SampleError,
    boundary_cases,
    mirrored_value,
    near_value,
    valid_value,
)
from backsmith.errors import SpecError
from backsmith.spec.expressions import RUNTIME_CALLS, Literal, Name, Node, Operation, names_in
from backsmith.spec.model import Check, Entity, Field, FieldType

RUNTIME = runtime.FOLDER / "checks.py"
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
        found = self._search(payload, names, index, wanted)
        if found is None:
            # The walk over every checked field at once is bounded, and with many of them
            # it varies only the last few: mend the broken checks one at a time instead.
            mended = self._mended(payload, index)
            if mended is not None and wanted(mended):
                found = mended
        return found

    def _mended(self, payload: dict[str, Any], index: int) -> dict[str, Any] | None:
        """`payload` with the fields of each broken check, in turn, changed so that fewer
        checks break and none that held breaks; None when some check cannot be mended."""
        current = payload

        def broken(candidate: dict[str, Any]) -> set[int]:
            return {p for p, verdict in enumerate(self.verdicts(candidate)) if verdict is False}

        while failing := broken(current):
            position = min(failing)
            names = tuple(name for name in self.checks[position].fields if name in current)
            fewer = self._search(current, names, index, lambda c: broken(c) < failing)
            if fewer is None:
                return None
            current = fewer
        return current

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


@dataclass(frozen=True)
class CheckCase:
    """Values that break one cross-field check (and none before it)."""

    label: str
    message: str
    on_create: dict[str, Any]  # overrides of the first sample
    on_update: dict[str, Any] | None  # a PATCH onto the second sample; None: not updatable


def check_data(entity: Entity) -> CheckData:
    return CheckData({f.name: f for f in entity.fields}, entity.checks)


def keys_apart_from(
    groups: list[tuple[str, ...]], rows: list[dict[str, Any]]
) -> Callable[[dict[str, Any]], bool]:
    """Whether a payload's key under each unique group is one none of `rows` holds (a key
    with a null never collides). Keys compare by repr: a json member is not hashable."""
    taken = {g: {repr([row[name] for name in g]) for row in rows} for g in groups}

    def apart(payload: dict[str, Any]) -> bool:
        keys = {g: [payload[name] for name in g] for g in groups}
        return all(None in key or repr(key) not in taken[g] for g, key in keys.items())

    return apart


def meeting_checks(
    entity: Entity, rows: list[dict[str, Any]], unique: list[tuple[str, ...]]
) -> list[dict[str, Any]]:
    """Each sample, its checked fields changed where needed so that it meets every check,
    its key under each of the `unique` groups kept apart from the samples before it."""
    if not entity.checks or not rows:
        return rows
    data = check_data(entity)
    groups = [g for g in unique if all(name in rows[0] for name in g)]
    met: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        found = data.satisfying(row, index)
        if found is not None and groups:
            # A unique key an earlier sample took (the first value past a check's constant
            # is the same for every sample): search on for one no sample holds yet, so the
            # factory's cycle stays as long as the values allow.
            fresh = keys_apart_from(groups, met)
            if not fresh(found):
                found = data.satisfying(row, index, also=fresh) or found
        if found is None:
            broken = next(
                c for c, v in zip(data.checks, data.verdicts(row), strict=True) if v is False
            )
            raise SpecError(
                f"cannot make test data for {entity.name} that meets the check `{broken.rule}`",
                broken.location,
                hint="give the fields it reads an `example` that meets it",
            )
        met.append(found)
    return met


def moves_allowed(entity: Entity, row: dict[str, Any], patch: dict[str, Any]) -> bool:
    """Whether `patch` onto `row` moves every transition field as the document allows (a
    refused move is a 409 before any check is read)."""
    for transitions in entity.transitions:
        start, end = (
            row.get(transitions.field),
            patch.get(transitions.field, row.get(transitions.field)),
        )
        if start is not None and end != start and end not in transitions.moves.get(start, ()):
            return False
    return True


def check_cases(
    entity: Entity, samples: list[dict[str, Any]], updatable: set[str]
) -> tuple[list[CheckCase], list[str]]:
    """A case per check that some values break (on create over the first sample, and as
    a PATCH of the `updatable` fields onto the second), and the rules no values break."""
    data = check_data(entity)
    cases: list[CheckCase] = []
    unbroken: list[str] = []
    for position, check in enumerate(data.checks):
        breaking = data.breaking(samples[0], position)
        if breaking is None:
            unbroken.append(check.rule)
            continue
        # The test PATCHes the row it makes next: the sample after the first.
        stored = samples[1 % len(samples)]
        patch = data.update_patch(stored, breaking, updatable, position)
        if patch is not None and not moves_allowed(entity, stored, patch):
            patch = None
        cases.append(CheckCase(f"check {position + 1}", check.message, breaking, patch))
    return cases, unbroken
