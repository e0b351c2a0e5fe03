"""Literal test data for generated test suites: valid values and boundary cases per field.

Part of the design stage: values a client sends, as JSON, and whether the document's
rules accept each; every target's tests use the same ones.

Everything here is deterministic: the same field and index always give the same value, so
regenerating a project never churns its tests. Values are JSON-ready (what a client puts
in a request body) and are checked against the field's constraints before they are
returned; a case whose outcome is not certain is left out rather than guessed.

Strings with a `pattern` are produced from the parsed regular expression: the strings of
a given length are counted, and the n-th one is built by choosing class members, branch
alternatives and repeat counts in a mixed-radix way, so distinct indices give distinct
strings and a target length (a `min_length` or `max_length` boundary) can be hit exactly.
"""

from __future__ import annotations

import json
import math
import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from backsmith.design.values import COLUMN_RANGES
from backsmith.spec.model import Field, FieldType

if TYPE_CHECKING:  # typeshed describes the parser under its old, deprecated module names
    import sre_constants as _sre_constants
    import sre_parse as _sre_parse
else:
    import re._constants as _sre_constants
    import re._parser as _sre_parse

__all__ = [
    "BoundaryCase",
    "JSONValue",
    "SampleError",
    "boundary_cases",
    "invalid_type_value",
    "mirrored_value",
    "valid_value",
]

JSONValue: TypeAlias = str | int | float | bool | list["JSONValue"] | dict[str, "JSONValue"] | None


class SampleError(ValueError):
    """No value that satisfies the field's constraints could be constructed."""


@dataclass(frozen=True)
class BoundaryCase:
    """A value at a declared boundary: `valid` says whether the API must accept it (else 422)."""

    label: str
    value: JSONValue
    valid: bool


# Column ranges of the generated models: a valid value must also be storable.
_URL_MAX = 2048  # what the generated `HttpUrlStr` accepts
_EMAIL_MAX = 254  # email-validator's limit for a whole address
_EMAIL_LOCAL_MAX = 64
_EMAIL_DOMAIN = "example.com"  # reserved for examples, yet accepted by email-validator
_URL_PREFIX = "https://example.com/"
_BASE_DATE = date(2030, 1, 1)
_BASE_DATETIME = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
_DATE_CYCLE = 36_500  # days; keeps every index inside the calendar
_BASE62 = string.digits + string.ascii_lowercase + string.ascii_uppercase
_PAD = "_"  # never ends an unpadded sample, so padding keeps samples distinct
_BOOL_STRINGS = {"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"}
_UNBOUNDED_UNITS = 10**15  # numeric samples without a declared bound stay within this


def valid_value(field: Field, index: int) -> JSONValue:
    """A JSON value a client may send for `field`, satisfying every declared constraint.

    Distinct indices give distinct values wherever the type and constraints allow (enums,
    bools and small ranges or patterns cycle). A usable `example` is index 0. Raises
    `SampleError` when no value can be constructed (e.g. a pattern with lookarounds).
    """
    if index < 0:
        raise ValueError(f"index must not be negative, got {index}")
    example = _usable_example(field)
    if example is None:
        value = _natural(field, index)
    elif index == 0:
        value = example
    else:
        # The example takes index 0; the natural sequence fills the rest, skipping it.
        try:
            seen = any(_natural(field, k) == example for k in range(index))
            value = _natural(field, index if seen else index - 1)
        except SampleError:
            value = example  # nothing else can be built: the example is all there is
    if _verdict(field, value) is not True:
        raise SampleError(f"cannot construct a value for {field.name!r} that satisfies its rules")
    return value


def mirrored_value(field: Field, index: int) -> JSONValue:
    """The number `valid_value` gives at `index`, with its sign turned, when that is valid
    too: the natural sequence climbs from a small positive start, so a check such as
    `x <= 0` on a unique number needs these. Raises `SampleError` otherwise."""
    value = valid_value(field, index)
    if field.type in (FieldType.INT, FieldType.BIGINT, FieldType.FLOAT) and isinstance(
        value, int | float
    ):
        mirrored: JSONValue = -value
    elif field.type is FieldType.DECIMAL and isinstance(value, str):
        mirrored = str(-Decimal(value))
    else:
        raise SampleError(f"{field.name!r} is not a number")
    if mirrored == value or _verdict(field, mirrored) is not True:
        raise SampleError(f"{field.name!r} has no valid value of the other sign here")
    return mirrored


def near_value(field: Field, constant: Any, offset: int) -> JSONValue:
    """The number `offset` steps (of 1) from `constant`, as a valid value of `field`: a
    check such as `x <= -48` on a unique number needs distinct values past a constant
    that neither the natural sequence nor its mirror reaches. Raises `SampleError` when
    that value is not valid (or the field is no number)."""
    if isinstance(constant, bool) or not isinstance(constant, int | float | Decimal):
        raise SampleError(f"{constant!r} is not a number")
    value: JSONValue
    if field.type in (FieldType.INT, FieldType.BIGINT) and constant == int(constant):
        value = int(constant) + offset
    elif field.type is FieldType.FLOAT:
        value = float(constant) + offset
    elif field.type is FieldType.DECIMAL and field.scale is not None:
        exact = (Decimal(str(constant)) + offset).quantize(Decimal(1).scaleb(-field.scale))
        value = str(exact)
    else:
        raise SampleError(f"{field.name!r} is no number near {constant!r}")
    if _verdict(field, value) is not True:
        raise SampleError(f"{value!r} is not a valid {field.name!r}")
    return value


def boundary_cases(field: Field) -> list[BoundaryCase]:
    """Values just inside (valid) and just outside (invalid) each declared boundary.

    Only cases whose outcome is certain are returned: every valid case satisfies all of
    the field's constraints, every invalid one breaks at least one of them for sure.
    """
    cases: list[BoundaryCase] = []
    labels: set[str] = set()
    for case in _raw_cases(field):
        if case.label in labels or _verdict(field, case.value) is not case.valid:
            continue
        try:
            json.dumps(case.value, allow_nan=False)
        except (TypeError, ValueError):
            continue
        labels.add(case.label)
        cases.append(case)
    return cases


def nul_case(field: Field) -> BoundaryCase | None:
    """Text with a NUL character, which PostgreSQL cannot store: a 422, never a 500.

    The NUL goes where the field's own pattern still matches, so that only the NUL refusal
    stands between it and the database; None where the pattern refuses every NUL itself
    (or no sample exists), and for fields that are not free text.
    """
    if field.type not in (FieldType.STR, FieldType.TEXT):
        return None
    try:
        value = str(valid_value(field, 0))
    except SampleError:
        return None
    low, high = field.min_length or 0, field.max_length
    regex = re.compile(field.pattern) if field.pattern else None
    for candidate in (value + "\x00", "\x00" + value, value[:-1] + "\x00", "\x00" + value[1:]):
        fits = low <= len(candidate) and (high is None or len(candidate) <= high)
        if fits and (regex is None or regex.search(candidate)):
            return BoundaryCase(label=f"{field.name} with a NUL", value=candidate, valid=False)
    return None


def invalid_type_value(field: Field) -> JSONValue:
    """A value of the wrong JSON type that Pydantic rejects even in lax mode.

    Every JSON value is a valid `json` field, so for those this returns None, meaning "no
    wrong type exists": callers must skip the check for json fields.
    """
    if field.type is FieldType.JSON:
        return None
    if field.type in _TEXTUAL_TYPES:
        return 12345  # Pydantic v2 does not coerce numbers to strings
    # Numbers, bools, dates and times accept some strings or numbers in lax mode: a list
    # is never coerced.
    return ["not", "a", field.type.value]


_TEXTUAL_TYPES = frozenset(
    {
        FieldType.STR,
        FieldType.TEXT,
        FieldType.EMAIL,
        FieldType.URL,
        FieldType.UUID,
        FieldType.ENUM,
    }
)


# --- the natural sequence of valid values ---------------------------------------------


def _natural(field: Field, k: int) -> JSONValue:
    """The k-th value of the field's sequence, without regard to its example."""
    kind = field.type
    if kind in (FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL):
        return _string_value(field, k)
    if kind in (FieldType.INT, FieldType.BIGINT):
        low, high = _int_range(field)
        return _walk(low, high, 1, k)
    if kind is FieldType.FLOAT:
        return _float_value(field, k)
    if kind is FieldType.DECIMAL:
        return _decimal_value(field, k)
    if kind is FieldType.BOOL:
        return k % 2 == 0
    if kind is FieldType.DATE:
        return (_BASE_DATE + timedelta(days=k % _DATE_CYCLE)).isoformat()
    if kind is FieldType.DATETIME:
        moment = _BASE_DATETIME + timedelta(days=k % _DATE_CYCLE)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind is FieldType.TIME:
        seconds = (9 * 3600 + 60 * k + k // 1440) % 86_400
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60).isoformat()
    if kind is FieldType.UUID:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:backsmith:{field.name}:{k}"))
    if kind is FieldType.ENUM:
        if not field.values:
            raise SampleError(f"enum field {field.name!r} has no values")
        return field.values[k % len(field.values)]
    return {"name": field.name, "index": k}  # json


def _walk(low: int, high: int, start: int, k: int) -> int:
    """The k-th integer of [low, high]: up from `start` (clamped), then down below it."""
    if low > high:
        raise SampleError(f"no value lies between {low} and {high}")
    k %= high - low + 1
    first = min(max(start, low), high)
    above = high - first + 1
    return first + k if k < above else first - 1 - (k - above)


# --- strings ---------------------------------------------------------------------------


def _string_kind(field: Field) -> str:
    return {FieldType.EMAIL: "email", FieldType.URL: "url"}.get(field.type, "str")


def _length_bounds(field: Field) -> tuple[int, int | None]:
    low = field.min_length or 0
    high = field.max_length
    limit = {FieldType.EMAIL: _EMAIL_MAX, FieldType.URL: _URL_MAX}.get(field.type)
    if limit is not None:
        high = limit if high is None else min(high, limit)
    return low, high


def _string_value(field: Field, k: int) -> str:
    kind = _string_kind(field)
    low, high = _length_bounds(field)
    if high is not None and high < low:
        raise SampleError(f"{field.name!r} has min_length {low} above max_length {high}")
    pattern = field.pattern
    if pattern is None:
        return _unpatterned(kind, field.name, k, low, high)
    if _natural_fits(kind, field.name, pattern, low, high):
        text = _unpatterned(kind, field.name, k, low, high)
        if _pattern_matches(kind, pattern, text):
            return text
    count = max(64, 1 << (k + 1).bit_length())
    found = _pattern_samples(pattern, low, high, kind, count)
    if not found:
        bounds = f" of length {low}..{'' if high is None else high}" if low or high else ""
        raise SampleError(f"no {kind} string{bounds} matching pattern {pattern!r} was found")
    return found[k % len(found)]


def _unpatterned(kind: str, name: str, k: int, low: int, high: int | None) -> str:
    """The k-th sample of a string field without a pattern (or whose pattern it satisfies)."""
    if kind == "str":
        return _plain_string(name, k, low, high)
    built = _sized_email(name, k, low, high) if kind == "email" else _sized_url(name, k, low, high)
    if built is None:
        raise SampleError(f"no {kind} fits the length bounds {low}..{'' if high is None else high}")
    return built


@lru_cache(maxsize=256)
def _natural_fits(kind: str, name: str, pattern: str, low: int, high: int | None) -> bool:
    """Whether the readable unpatterned samples already match a (loose) pattern."""
    try:
        return all(
            _pattern_matches(kind, pattern, _unpatterned(kind, name, k, low, high))
            for k in range(64)
        )
    except (SampleError, re.error):
        return False


def _pattern_matches(kind: str, pattern: str, text: str) -> bool:
    """Whether a sample satisfies the pattern.

    Plain strings must match in full, which holds under any reading of the pattern. Emails
    and URLs only need to match as Pydantic checks, with `re.search`: their patterns are
    often partial (`@corp[.]com$`, `^https://`).
    """
    if kind == "str":
        return re.fullmatch(pattern, text) is not None
    return re.search(pattern, text) is not None


def _plain_string(stem: str, k: int, low: int, high: int | None) -> str:
    """`stem-k`, shortened to a base-62 code or padded to fit [low, high]; injective in k."""
    if high is not None:
        if high == 0:
            return ""
        k %= 62 ** min(high, 8)  # tiny maxima admit few strings: cycle through them
    text = f"{stem}-{k}"
    if high is not None and len(text) > high:
        code = _base62(k)
        room = high - len(code) - 1
        # "." never appears in the long form, so short and long forms cannot collide.
        text = f"{stem[:room]}.{code}" if room >= 1 else code
    if len(text) < low:
        text += _PAD * (low - len(text))
    return text


def _base62(k: int) -> str:
    digits = ""
    while True:
        k, rest = divmod(k, 62)
        digits = _BASE62[rest] + digits
        if k == 0:
            return digits


def _sized_email(name: str, k: int, low: int, high: int | None) -> str | None:
    high = _EMAIL_MAX if high is None else min(high, _EMAIL_MAX)
    domain = _EMAIL_DOMAIN
    # The local part holds at most 64 characters; longer addresses get subdomain labels.
    extra = max(0, low - (_EMAIL_LOCAL_MAX + 1 + len(domain)))
    if extra == 1:
        extra = 2  # a label needs at least two characters ("a."): shorten the local part
    labels = ""
    while extra > 0:
        size = min(63, extra - 1)
        if extra - (size + 1) == 1:
            size -= 1
        labels += "a" * size + "."
        extra -= size + 1
    domain = labels + domain
    local_low = max(1, low - len(domain) - 1)
    local_high = min(_EMAIL_LOCAL_MAX, high - len(domain) - 1)
    if local_high < local_low:
        return None
    address = f"{_plain_string(name, k, local_low, local_high)}@{domain}"
    return address if _is_email(address) and low <= len(address) <= high else None


def _sized_url(name: str, k: int, low: int, high: int | None) -> str | None:
    high = _URL_MAX if high is None else min(high, _URL_MAX)
    path_low = max(0, low - len(_URL_PREFIX))
    path_high = high - len(_URL_PREFIX)
    if path_high < path_low:
        return None
    url = _URL_PREFIX + _plain_string(name, k, path_low, path_high)
    return url if _is_url(url) else None


_EMAIL_SHAPE = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_URL_SHAPE = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
    r"(?::[1-9][0-9]{0,3})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@/-]*)?"
)


def _is_email(text: str) -> bool:
    """A conservative test: true only for addresses email-validator surely accepts."""
    if len(text) > _EMAIL_MAX or not _EMAIL_SHAPE.fullmatch(text):
        return False
    local, _, domain = text.partition("@")
    return len(local) <= _EMAIL_LOCAL_MAX and domain.rsplit(".", 1)[-1] not in _SPECIAL_USE_TLDS


def _is_url(text: str) -> bool:
    """A conservative test: true only for http(s) URLs Pydantic's `AnyHttpUrl` surely accepts."""
    return len(text) <= _URL_MAX and _URL_SHAPE.fullmatch(text) is not None


# --- numbers ---------------------------------------------------------------------------


def _readings(bound: int | float | Decimal) -> list[Decimal]:
    """Ways a schema may read a bound: exactly, and for a float also as its shortest repr."""
    if isinstance(bound, float):
        return [Decimal(bound), Decimal(repr(bound))]
    return [Decimal(bound)]


def _int_range(field: Field) -> tuple[int, int]:
    low, high = COLUMN_RANGES[field.type]
    if field.min is not None:
        low = max(low, math.ceil(max(_readings(field.min))))
    if field.max is not None:
        high = min(high, math.floor(min(_readings(field.max))))
    return low, high


def _integral(bound: int | float | Decimal) -> int | None:
    readings = _readings(bound)
    if any(r != readings[0] or r != r.to_integral_value() for r in readings):
        return None
    return int(readings[0])


def _float_units(field: Field, scale: int) -> tuple[int, int]:
    """The range of k such that k / 10**scale, as a float, lies within the bounds."""
    low, high = -_UNBOUNDED_UNITS, _UNBOUNDED_UNITS
    if field.min is not None:
        bound = float(field.min)
        low = math.ceil(Decimal(bound).scaleb(scale))
        while float(Decimal(low).scaleb(-scale)) < bound:
            low += 1
    if field.max is not None:
        bound = float(field.max)
        high = math.floor(Decimal(bound).scaleb(scale))
        while float(Decimal(high).scaleb(-scale)) > bound:
            high -= 1
    return low, high


def _float_value(field: Field, k: int) -> float:
    scale = 2
    low, high = _float_units(field, scale)
    # A narrow range gets finer steps so that enough distinct values fit in it.
    while high - low < 63 and scale < 12 and field.min is not None and field.max is not None:
        scale += 1
        low, high = _float_units(field, scale)
    units = _walk(low, high, 15 * 10 ** (scale - 1), k)
    return float(Decimal(units).scaleb(-scale))


def _decimal_scale(field: Field) -> int:
    if field.scale is not None:
        if field.precision is not None and field.scale > field.precision:
            raise SampleError(f"{field.name!r} has a scale above its precision")
        return field.scale
    return min(2, field.precision) if field.precision else 2


def _decimal_units(field: Field) -> tuple[int, int, int]:
    """(scale, low, high): valid values are k / 10**scale for k in [low, high]."""
    scale = _decimal_scale(field)
    # Fewer than `precision` digits in k keeps both the total and the whole digits in range.
    limit = 10**field.precision - 1 if field.precision else _UNBOUNDED_UNITS * 10**scale
    low, high = -limit, limit
    if field.min is not None:
        low = max(low, math.ceil(max(_readings(field.min)).scaleb(scale)))
    if field.max is not None:
        high = min(high, math.floor(min(_readings(field.max)).scaleb(scale)))
    return scale, low, high


def _format_units(units: int, scale: int) -> str:
    return format(Decimal(units).scaleb(-scale), f".{scale}f")


def _decimal_value(field: Field, k: int) -> str:
    scale, low, high = _decimal_units(field)
    start = int((Decimal("12.5").scaleb(scale)).to_integral_value())
    if field.precision is not None and field.precision == scale and low <= 0 <= high:
        # Zero has one whole digit once normalised, which older Pydantic counts against a
        # precision equal to the scale: leave it out of the sequence.
        if low == high:
            raise SampleError(f"{field.name!r} admits only 0, which Pydantic may refuse")
        k %= high - low
        first = min(max(start, low), high)
        # The step at which `_walk` reaches zero: on the way up, or on the way down.
        zero_step = -first if first <= 0 else (high - first + 1) + (first - 1)
        return _format_units(_walk(low, high, start, k + 1 if k >= zero_step else k), scale)
    return _format_units(_walk(low, high, start, k), scale)


def _decimal_counts(value: Decimal) -> tuple[tuple[int, int], tuple[int, int]]:
    """(decimals, digits) of the value as written and normalised, as Pydantic counts them."""

    def count(digits: int, exponent: int) -> tuple[int, int]:
        if exponent >= 0:
            return 0, digits + exponent
        return -exponent, max(digits, -exponent)

    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise TypeError("only finite decimals have digit counts")
    written = count(len(digits), exponent)
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    if trailing == len(digits):
        normalised = (0, 1)
    elif exponent >= 0:
        normalised = written
    else:
        normalised = count(len(digits) - trailing, exponent + trailing)
    return written, normalised


def _decimal_verdict(field: Field, text: str) -> bool | None:
    if not re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", text):
        try:
            parsed = Decimal(text.strip())
        except InvalidOperation:
            return False
        return False if not parsed.is_finite() else None
    value = Decimal(text)
    precision, scale = field.precision, field.scale

    def failures(counts: tuple[int, int]) -> set[str]:
        decimals, digits = counts
        failed = set()
        if precision is not None and digits > precision:
            failed.add("digits")
        if scale is not None and decimals > scale:
            failed.add("places")
        if precision is not None and scale is not None and digits - decimals > precision - scale:
            failed.add("whole")
        return failed

    written, normalised = (failures(c) for c in _decimal_counts(value))
    in_bounds = _bounds_verdict(field, value)
    if written & normalised or in_bounds is False:
        return False  # some rule fails however Pydantic counts the digits
    if written or normalised or in_bounds is None:
        return None
    return True


def _bounds_verdict(field: Field, value: Decimal) -> bool | None:
    """True: inside the declared bounds however they are read; False: surely outside."""
    verdict: bool | None = True
    for bound, sign in ((field.min, 1), (field.max, -1)):
        if bound is None:
            continue
        results = {(value - r) * sign >= 0 for r in _readings(bound)}
        if results == {False}:
            return False
        if results != {True}:
            verdict = None
    return verdict


# --- verdicts: is a value surely accepted (True), surely rejected (False), or unsure -----


def _verdict(field: Field, value: JSONValue) -> bool | None:
    if value is None:
        return None  # depends on nullability, which is not a boundary this module covers
    kind = field.type
    if kind is FieldType.JSON:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return False
        return True
    if isinstance(value, (list, dict)):
        return False
    if kind in (FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL):
        return _string_verdict(field, value)
    if kind in (FieldType.INT, FieldType.BIGINT):
        return _int_verdict(field, value)
    if kind is FieldType.FLOAT:
        return _float_verdict(field, value)
    if kind is FieldType.DECIMAL:
        return _decimal_verdict(field, value) if isinstance(value, str) else None
    if kind is FieldType.BOOL:
        if isinstance(value, bool):
            return True
        if isinstance(value, str):
            return None if value.strip().lower() in _BOOL_STRINGS else False
        return None
    if kind is FieldType.ENUM:
        if isinstance(value, str):
            return value in field.values
        return False if isinstance(value, (int, float)) else None
    if not isinstance(value, str):
        return False if kind is FieldType.UUID else None  # dates accept Unix timestamps
    return _temporal_verdict(kind, value)


def _string_verdict(field: Field, value: JSONValue) -> bool | None:
    if not isinstance(value, str):
        return False
    low, high = field.min_length, field.max_length
    if (low is not None and len(value) < low) or (high is not None and len(value) > high):
        return False
    if field.pattern is not None:
        try:
            regex = re.compile(field.pattern)
        except re.error:
            return None
        if regex.search(value) is None:
            return False
    if "\x00" in value:
        return None
    if field.type is FieldType.EMAIL:
        if "@" not in value:
            return False
        return True if _is_email(value) else None
    if field.type is FieldType.URL:
        if not value.lower().startswith(("http://", "https://")):
            return False
        return True if _is_url(value) else None
    return True


def _int_verdict(field: Field, value: JSONValue) -> bool | None:
    if isinstance(value, (bool, str)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return False
        return None
    if not isinstance(value, int):
        return None
    low, high = COLUMN_RANGES[field.type]
    if field.min is not None and all(value < r for r in _readings(field.min)):
        return False
    if field.max is not None and all(value > r for r in _readings(field.max)):
        return False
    if not low <= value <= high:
        return None  # refused by the generated schema, not by a declared rule
    if _bounds_verdict(field, Decimal(value)) is not True:
        return None
    return True


def _float_verdict(field: Field, value: JSONValue) -> bool | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    if not math.isfinite(number):
        return False
    # A float schema compares floats: the bounds are read as floats too.
    if field.min is not None and number < float(field.min):
        return False
    return not (field.max is not None and number > float(field.max))


_TEMPORAL_SHAPES = {
    FieldType.DATE: re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    FieldType.DATETIME: re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"
        r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
    ),
    FieldType.TIME: re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?"),
    FieldType.UUID: re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}
_PARSERS: dict[FieldType, Callable[[str], object]] = {
    FieldType.DATE: date.fromisoformat,
    FieldType.DATETIME: datetime.fromisoformat,
    FieldType.TIME: time.fromisoformat,
    FieldType.UUID: uuid.UUID,
}


def _temporal_verdict(kind: FieldType, value: str) -> bool | None:
    """Dates, datetimes, times and UUIDs given as strings."""
    if not _TEMPORAL_SHAPES[kind].fullmatch(value):
        if kind is FieldType.UUID and not set(value) <= set(string.hexdigits + "-{}urn:"):
            return False
        return None
    try:
        _PARSERS[kind](value)
    except ValueError:
        return False  # well-formed shape, impossible reading (month 13, hour 25 ...)
    return True


# --- examples --------------------------------------------------------------------------


def _usable_example(field: Field) -> JSONValue:
    """The field's example as JSON, if it satisfies every constraint; else None."""
    example = field.example
    if example is None:
        return None
    value: Any = example
    kind = field.type
    if kind is FieldType.DATETIME and isinstance(example, datetime):
        moment = example if example.tzinfo else example.replace(tzinfo=UTC)
        value = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif kind in (FieldType.DATE, FieldType.TIME) and isinstance(example, (date, time)):
        value = example.isoformat() if not isinstance(example, datetime) else None
    elif kind is FieldType.DECIMAL and isinstance(example, (int, float, Decimal)):
        if not isinstance(example, bool):
            number = Decimal(repr(example)) if isinstance(example, float) else Decimal(example)
            value = format(number, "f") if number.is_finite() else None
    elif kind is FieldType.FLOAT and isinstance(example, int) and not isinstance(example, bool):
        value = float(example)
    elif kind is FieldType.UUID and isinstance(example, uuid.UUID):
        value = str(example)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None
    checked: JSONValue = value
    return checked if _verdict(field, checked) is True else None


# --- boundary cases --------------------------------------------------------------------


def _raw_cases(field: Field) -> list[BoundaryCase]:
    kind = field.type
    name = field.name
    if kind in (FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL):
        cases = _length_cases(field)
        if field.pattern is not None:
            cases += _pattern_cases(field)
        if kind is FieldType.EMAIL:
            cases.append(BoundaryCase(f"{name} not an email", "not-an-email", False))
        if kind is FieldType.URL:
            cases.append(BoundaryCase(f"{name} not a url", "not a url", False))
        return cases
    if kind in (FieldType.INT, FieldType.BIGINT):
        return _int_cases(field)
    if kind is FieldType.FLOAT:
        return _float_cases(field)
    if kind is FieldType.DECIMAL:
        try:
            return _decimal_cases(field)
        except SampleError:
            return []
    malformed = {
        FieldType.BOOL: ("not a boolean", "maybe"),
        FieldType.UUID: ("not a uuid", "not-a-uuid"),
        FieldType.DATE: ("impossible date", "2030-02-30"),
        FieldType.DATETIME: ("impossible datetime", "2030-01-01T25:00:00Z"),
        FieldType.TIME: ("impossible time", "25:00:00"),
    }
    if kind in malformed:
        what, value = malformed[kind]
        return [BoundaryCase(f"{name} {what}", value, False)]
    if kind is FieldType.ENUM:
        outsider = "not-a-valid-value"
        while outsider in field.values:
            outsider += "-x"
        return [BoundaryCase(f"{name} not one of the enum values", outsider, False)]
    return []


def _string_of_length(field: Field, length: int, *, within_bounds: bool) -> str | None:
    """A string of exactly `length` satisfying the field's rules (but its length bounds,
    unless `within_bounds`)."""
    if length < 0:
        return None
    kind = _string_kind(field)
    low, high = (length, length)
    if within_bounds:
        field_low, field_high = _length_bounds(field)
        if length < field_low or (field_high is not None and length > field_high):
            return None
    pattern = field.pattern
    try:
        if pattern is None or _natural_fits(kind, field.name, pattern, low, high):
            text = _unpatterned(kind, field.name, 0, low, high)
            if pattern is None or _pattern_matches(kind, pattern, text):
                return text
        if pattern is None:
            return None
        return _compile(pattern).exact(length, _ACCEPT[kind])
    except SampleError:
        return None


def _length_cases(field: Field) -> list[BoundaryCase]:
    cases: list[BoundaryCase] = []
    name = field.name
    low, high = field.min_length, field.max_length
    for bound, step, at, beyond in (
        (low, -1, "at min_length", "below min_length"),
        (high, 1, "at max_length", "above max_length"),
    ):
        if bound is None or (step < 0 and bound == 0):
            continue
        inside = _string_of_length(field, bound, within_bounds=True)
        if inside is None:
            continue
        cases.append(BoundaryCase(f"{name} {at} {bound}", inside, True))
        outside = _string_of_length(field, bound + step, within_bounds=False)
        if outside is None:
            outside = "x" * (bound + step)  # refused for its length whatever it contains
        cases.append(BoundaryCase(f"{name} {beyond} {bound}", outside, False))
    return cases


def _pattern_cases(field: Field) -> list[BoundaryCase]:
    """One string within the length bounds that the pattern does not match."""
    try:
        regex = re.compile(field.pattern or "")
    except re.error:
        return []
    low, high = field.min_length or 0, field.max_length
    try:
        base = str(valid_value(field, 0))
    except SampleError:
        base = "x" * max(low, 1)
    candidates = [base[:i] + c + base[i + 1 :] for i in range(len(base)) for c in "!#~"]
    candidates += [c * n for n in (len(base), max(low, 1), low) for c in "!#~ax0"]
    for text in candidates:
        fits = low <= len(text) and (high is None or len(text) <= high)
        if fits and text.strip() == text and regex.search(text) is None:
            return [BoundaryCase(f"{field.name} not matching pattern", text, False)]
    return []


def _int_cases(field: Field) -> list[BoundaryCase]:
    name = field.name
    cases: list[BoundaryCase] = []
    if field.min is not None and (low := _integral(field.min)) is not None:
        cases.append(BoundaryCase(f"{name} at min {low}", low, True))
        cases.append(BoundaryCase(f"{name} below min {low}", low - 1, False))
    if field.max is not None and (high := _integral(field.max)) is not None:
        cases.append(BoundaryCase(f"{name} at max {high}", high, True))
        cases.append(BoundaryCase(f"{name} above max {high}", high + 1, False))
    try:
        sample = valid_value(field, 0)
    except SampleError:
        sample = 0
    fraction = float(sample) + 0.5 if isinstance(sample, int) and abs(sample) < 2**50 else 0.5
    cases.append(BoundaryCase(f"{name} not an integer", fraction, False))
    return cases


def _float_cases(field: Field) -> list[BoundaryCase]:
    name = field.name
    cases: list[BoundaryCase] = []
    for bound, direction, at, beyond in (
        (field.min, -math.inf, "at min", "below min"),
        (field.max, math.inf, "at max", "above max"),
    ):
        if bound is None:
            continue
        inside = float(bound)
        outside = math.nextafter(inside, direction)
        if math.isfinite(inside) and math.isfinite(outside):
            cases.append(BoundaryCase(f"{name} {at} {bound}", inside, True))
            cases.append(BoundaryCase(f"{name} {beyond} {bound}", outside, False))
    return cases


def _decimal_cases(field: Field) -> list[BoundaryCase]:
    name = field.name
    scale, low, high = _decimal_units(field)
    cases: list[BoundaryCase] = []
    # `low` and `high` are the extreme values valid however a bound is read; a float bound
    # such as 0.1 may be read exactly or as written, so "at" becomes "just inside".
    limit = 10**field.precision - 1 if field.precision else None
    if field.min is not None:
        readings = _readings(field.min)
        below = math.ceil(min(readings).scaleb(scale)) - 1
        if limit is None or below >= -limit:  # the bound, not the precision, binds
            at = "at" if all(Decimal(low).scaleb(-scale) == r for r in readings) else "just above"
            cases.append(
                BoundaryCase(f"{name} {at} min {field.min}", _format_units(low, scale), True)
            )
            cases.append(
                BoundaryCase(f"{name} below min {field.min}", _format_units(below, scale), False)
            )
    if field.max is not None:
        readings = _readings(field.max)
        above = math.floor(max(readings).scaleb(scale)) + 1
        if limit is None or above <= limit:
            at = "at" if all(Decimal(high).scaleb(-scale) == r for r in readings) else "just below"
            cases.append(
                BoundaryCase(f"{name} {at} max {field.max}", _format_units(high, scale), True)
            )
            cases.append(
                BoundaryCase(f"{name} above max {field.max}", _format_units(above, scale), False)
            )
    if field.scale is not None:
        base = Decimal(str(valid_value(field, 0)))
        tail = Decimal(5).scaleb(-(scale + 1))
        places = [base + tail, base - tail]
        inside = [v for v in places if _bounds_verdict(field, v) is True]
        value = (inside or places)[0]
        cases.append(
            BoundaryCase(
                f"{name} with more than {scale} decimal places",
                format(value, f".{scale + 1}f"),
                False,
            )
        )
    if field.precision is not None:
        if field.scale is not None:
            whole = field.precision - field.scale
            cases.append(
                BoundaryCase(
                    f"{name} with more than {whole} integer digits",
                    _format_units(10 ** (whole + scale), scale),
                    False,
                )
            )
        else:
            cases.append(
                BoundaryCase(
                    f"{name} with more than {field.precision} digits",
                    "1" * (field.precision + 1),
                    False,
                )
            )
    return cases


# --- strings from regular expressions --------------------------------------------------

_ALPHABET = (
    string.ascii_lowercase + string.ascii_uppercase + string.digits + string.punctuation + " "
)
_CAP = 1 << 48  # counts saturate here: ranks stay far below it
_LENGTH_WINDOW = 96  # lengths explored above the shortest admissible one
_RANK_BUDGET = 4096  # strings built (and verified) while collecting samples
_EXACT_TRIES = 512
_MAX_PATTERN_LENGTH = 20_000
_WORK_BUDGET = 2_000_000  # multiply-adds spent counting strings before giving up
_BIT_BUDGET = 60_000_000  # machine words shifted while checking reachability
_COUNTING_LIMIT = 512  # longer strings are only checked for reachability
_CATEGORIES = {
    "CATEGORY_DIGIT": re.compile(r"\d"),
    "CATEGORY_NOT_DIGIT": re.compile(r"\D"),
    "CATEGORY_SPACE": re.compile(r"\s"),
    "CATEGORY_NOT_SPACE": re.compile(r"\S"),
    "CATEGORY_WORD": re.compile(r"\w"),
    "CATEGORY_NOT_WORD": re.compile(r"\W"),
}
_UNSUPPORTED = {
    "ASSERT": "a lookahead or lookbehind",
    "ASSERT_NOT": "a negative lookahead or lookbehind",
    "GROUPREF_EXISTS": "a conditional group",
}


class _Node:
    """A piece of a parsed pattern. Identity matters: nodes key the count tables."""


@dataclass(eq=False)
class _Chars(_Node):
    members: tuple[str, ...]


@dataclass(eq=False)
class _Seq(_Node):
    items: tuple[_Node, ...]


@dataclass(eq=False)
class _Alt(_Node):
    options: tuple[_Node, ...]


@dataclass(eq=False)
class _Repeat(_Node):
    child: _Node
    low: int
    high: int | None  # None: unbounded


@dataclass(eq=False)
class _Group(_Node):
    number: int
    child: _Node


@dataclass(eq=False)
class _Ref(_Node):
    group: _Group


class _Builder:
    """Turns `re._parser` output into `_Node`s, refusing what it cannot generate."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.groups: dict[int, _Group] = {}

    def fail(self, what: str) -> SampleError:
        return SampleError(f"cannot generate strings for pattern {self.pattern!r}: it uses {what}")

    def build(self, sub: _sre_parse.SubPattern, ignorecase: bool) -> _Node:
        items: list[_Node] = []
        for op, av in sub.data:
            kind = op.name
            value: Any = av
            if kind == "LITERAL":
                items.append(_Chars((chr(value),)))
            elif kind == "NOT_LITERAL":
                excluded = _variants(chr(value), ignorecase)
                items.append(_Chars(tuple(c for c in _ALPHABET if c not in excluded)))
            elif kind == "ANY":
                items.append(_Chars(tuple(_ALPHABET)))
            elif kind == "IN":
                items.append(_Chars(self.char_class(value, ignorecase)))
            elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, child = value
                unbounded = high == _sre_constants.MAXREPEAT
                items.append(
                    _Repeat(self.build(child, ignorecase), low, None if unbounded else high)
                )
            elif kind == "SUBPATTERN":
                number, add_flags, del_flags, child = value
                scoped = (ignorecase or bool(add_flags & re.IGNORECASE)) and not (
                    del_flags & re.IGNORECASE
                )
                node = self.build(child, scoped)
                if number is not None:
                    node = self.groups[number] = _Group(number, node)
                items.append(node)
            elif kind == "ATOMIC_GROUP":
                items.append(self.build(value, ignorecase))
            elif kind == "BRANCH":
                items.append(_Alt(tuple(self.build(o, ignorecase) for o in value[1])))
            elif kind == "AT":
                continue  # anchors take no characters; verification catches a misplaced one
            elif kind == "GROUPREF":
                if value not in self.groups:
                    raise self.fail("a back-reference to a group it cannot follow")
                items.append(_Ref(self.groups[value]))
            else:
                raise self.fail(_UNSUPPORTED.get(kind, f"the construct {kind}"))
        return items[0] if len(items) == 1 else _Seq(tuple(items))

    def char_class(self, items: list[tuple[Any, Any]], ignorecase: bool) -> tuple[str, ...]:
        negate = False
        tests: list[Callable[[str], bool]] = []
        listed: list[str] = []
        for op, av in items:
            kind = op.name
            if kind == "NEGATE":
                negate = True
            elif kind == "LITERAL":
                listed.append(chr(av))
                tests.append(_equals(chr(av)))
            elif kind == "RANGE":
                first, last = av
                listed.extend(chr(x) for x in range(first, min(last, first + 255) + 1))
                tests.append(_between(first, last))
            elif kind == "CATEGORY" and av.name in _CATEGORIES:
                category = _CATEGORIES[av.name]
                listed.extend(c for c in _ALPHABET if category.fullmatch(c))
                tests.append(_matches(category))
            else:
                raise self.fail(f"the character class item {kind} {av}")

        def member(c: str) -> bool:
            return any(test(v) for test in tests for v in _variants(c, ignorecase))

        if negate:
            return tuple(c for c in _ALPHABET if not member(c))
        # Prefer readable ASCII (letters, digits, then punctuation) when the class has it.
        readable = tuple(c for c in _ALPHABET if member(c))
        return readable or tuple(dict.fromkeys(c for c in listed if c != "\x00"))


def _equals(member: str) -> Callable[[str], bool]:
    return lambda c: c == member


def _between(first: int, last: int) -> Callable[[str], bool]:
    return lambda c: first <= ord(c) <= last


def _matches(category: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda c: category.fullmatch(c) is not None


def _variants(c: str, ignorecase: bool) -> set[str]:
    return {c, c.lower(), c.upper(), c.swapcase()} if ignorecase else {c}


def _min_length(node: _Node) -> int | None:
    """The shortest string the node produces, or None when it produces none."""
    if isinstance(node, _Chars):
        return 1 if node.members else None
    if isinstance(node, _Seq):
        total = 0
        for item in node.items:
            size = _min_length(item)
            if size is None:
                return None
            total += size
        return total
    if isinstance(node, _Alt):
        sizes = [s for s in map(_min_length, node.options) if s is not None]
        return min(sizes) if sizes else None
    if isinstance(node, _Repeat):
        size = _min_length(node.child)
        if size is None:
            return 0 if node.low == 0 else None
        return size * node.low
    if isinstance(node, _Group):
        return _min_length(node.child)
    if isinstance(node, _Ref):
        return _min_length(node.group)
    raise TypeError(f"unknown pattern node {node!r}")


@dataclass
class _RepeatStates:
    copy: list[int]  # strings of one copy, by length (never empty)
    states: list[list[int]]  # strings of the rest, by copies made so far
    saturated: bool  # unbounded: the last state repeats forever

    def next(self, state: int) -> int:
        return min(state + 1, len(self.states) - 1) if self.saturated else state + 1


class _TooComplexError(SampleError):
    """Counting strings of this length would take too long."""


def _bits(table: list[int]) -> int:
    return int("".join("1" if v else "0" for v in reversed(table)), 2)


def _unbits(bits: int, size: int) -> list[int]:
    return [(bits >> i) & 1 for i in range(size)]


class _Tables:
    """How many strings each node produces at each length up to `limit` (saturating).

    With `counting` off, the tables only say whether a length is reachable (computed on
    bit sets, which is fast for long strings); building then yields one string per length.
    """

    def __init__(self, limit: int, *, counting: bool) -> None:
        self.limit = limit
        self.cap = _CAP if counting else 1
        self.work = 0
        self.counts: dict[_Node, list[int]] = {}
        self.suffixes: dict[_Node, list[list[int]]] = {}
        self.repeats: dict[_Node, _RepeatStates] = {}

    def spend(self, amount: int) -> None:
        self.work += amount
        if self.work > (_WORK_BUDGET if self.cap > 1 else _BIT_BUDGET):
            raise _TooComplexError("the pattern is too complex to generate strings of this length")

    def delta(self) -> list[int]:
        return [1] + [0] * self.limit

    def convolve(self, a: list[int], b: list[int]) -> list[int]:
        if self.cap == 1:
            # Shift the denser table by each length of the sparser one.
            if sum(map(bool, a)) > sum(map(bool, b)):
                a, b = b, a
            shifts = [i for i, x in enumerate(a) if x]
            self.spend(len(shifts) * (self.limit // 64 + 1))
            right_bits, out_bits = _bits(b), 0
            for i in shifts:
                out_bits |= right_bits << i
            return _unbits(out_bits, self.limit + 1)
        left = [(i, x) for i, x in enumerate(a) if x]
        right = [(j, y) for j, y in enumerate(b) if y]
        self.spend(len(left) * len(right) + 1)
        out = [0] * (self.limit + 1)
        for i, x in left:
            for j, y in right:
                if i + j > self.limit:
                    break
                out[i + j] += x * y
        return [min(v, _CAP) for v in out]

    def star(self, copy: list[int]) -> list[int]:
        """Strings made of any number of copies, by length."""
        members = [(size, count) for size, count in enumerate(copy) if count]
        if self.cap == 1:
            # Length x is reachable if x - size is, for some copy size: test them all at
            # once against the copy sizes reflected about x.
            self.spend((self.limit + 1) * (self.limit // 64 + 1))
            reflected = 0
            for size, _ in members:
                reflected |= 1 << (self.limit - size)
            reached = 1
            for length in range(1, self.limit + 1):
                if reached & (reflected >> (self.limit - length)):
                    reached |= 1 << length
            return _unbits(reached, self.limit + 1)
        star = self.delta()
        self.spend(len(members) * (self.limit + 1))
        for length in range(1, self.limit + 1):
            total = 0
            for size, count in members:
                if size > length:
                    break
                total += count * star[length - size]
            star[length] = min(total, _CAP)
        return star

    def of(self, node: _Node) -> list[int]:
        table = self.counts.get(node)
        if table is None:
            table = self.compute(node)
            self.counts[node] = table
        return table

    def compute(self, node: _Node) -> list[int]:
        size = self.limit + 1
        if isinstance(node, _Chars):
            table = [0] * size
            if size > 1:
                table[1] = min(len(node.members), self.cap)
            return table
        if isinstance(node, _Seq):
            suffixes = [self.delta()]
            for item in reversed(node.items):
                suffixes.append(self.convolve(self.of(item), suffixes[-1]))
            suffixes.reverse()
            self.suffixes[node] = suffixes
            return suffixes[0]
        if isinstance(node, _Alt):
            tables = [self.of(option) for option in node.options]
            return [min(sum(column), self.cap) for column in zip(*tables, strict=True)]
        if isinstance(node, _Group):
            return self.of(node.child)
        if isinstance(node, _Ref):
            return [1 if v else 0 for v in self.of(node.group)]
        if isinstance(node, _Repeat):
            return self.repeat(node)
        raise TypeError(f"unknown pattern node {node!r}")

    def repeat(self, node: _Repeat) -> list[int]:
        copy = list(self.of(node.child))
        low = node.low
        if copy[0]:
            # A copy may be empty: fewer non-empty copies give the same strings.
            copy[0] = 0
            low = 0
        if low > self.limit:
            return [0] * (self.limit + 1)
        high = node.high if node.high is not None and node.high <= self.limit else None
        if high is None:
            states = [self.star(copy)]
            for _ in range(low):
                states.append(self.convolve(copy, states[-1]))
        else:
            states = [self.delta()]  # after the last allowed copy: stop
            for made in range(high - 1, -1, -1):
                state = self.convolve(copy, states[-1])
                if made >= low:
                    state[0] = min(state[0] + 1, self.cap)  # stopping here is allowed
                states.append(state)
        states.reverse()
        self.repeats[node] = _RepeatStates(copy, states, saturated=high is None)
        return states[0]

    def split(
        self, head: list[int], tail: list[int], length: int, rank: int
    ) -> tuple[int, int, int]:
        """Choose the head's length for `rank`; returns (length, head rank, tail rank)."""
        for size in range(length + 1):
            first, rest = head[size], tail[length - size]
            if not first or not rest:
                continue
            weight = min(first * rest, self.cap)
            if rank < weight:
                return size, rank % first, rank // first  # mixed radix: head varies fastest
            rank -= weight
        raise AssertionError("rank out of range")

    def build(self, node: _Node, length: int, rank: int, captures: dict[int, str]) -> str:
        """The rank-th string of exactly `length` characters that the node produces."""
        if isinstance(node, _Chars):
            return node.members[rank]
        if isinstance(node, _Group):
            text = self.build(node.child, length, rank, captures)
            captures[node.number] = text
            return text
        if isinstance(node, _Ref):
            return captures.get(node.group.number, "")  # a length mismatch fails verification
        if isinstance(node, _Alt):
            for option in node.options:
                weight = self.of(option)[length]
                if rank < weight:
                    return self.build(option, length, rank, captures)
                rank -= weight
            raise AssertionError("rank out of range")
        parts: list[str] = []
        if isinstance(node, _Seq):
            suffixes = self.suffixes[node]
            for position, item in enumerate(node.items):
                size, own, rank = self.split(self.of(item), suffixes[position + 1], length, rank)
                parts.append(self.build(item, size, own, captures))
                length -= size
            return "".join(parts)
        if not isinstance(node, _Repeat):
            raise TypeError(f"unknown pattern node {node!r}")
        repeat = self.repeats[node]
        state = 0
        while length > 0:
            state = repeat.next(state)
            size, own, rank = self.split(repeat.copy, repeat.states[state], length, rank)
            parts.append(self.build(node.child, size, own, captures))
            length -= size
        return "".join(parts)


class _Pattern:
    def __init__(self, source: str) -> None:
        self.source = source
        try:
            self.regex = re.compile(source)
            parsed = _sre_parse.parse(source)
        except (re.error, OverflowError, RecursionError) as error:
            raise SampleError(
                f"pattern {source!r} is not a valid regular expression: {error}"
            ) from None
        ignorecase = bool(parsed.state.flags & re.IGNORECASE)
        self.root = _Builder(source).build(parsed, ignorecase)
        self.shortest = _min_length(self.root)
        self._tables: list[_Tables] = []
        # The smallest limit counting tables were too complex for; larger ones are too.
        self._counting_fails_at = _COUNTING_LIMIT + 1

    def tables(self, limit: int) -> _Tables:
        """Counting tables where affordable, else reachability tables (one string a length).

        Counts up to a length do not depend on the limit, so a table built for a larger one
        serves too; but a reachability table (built where counting to a larger limit was
        too complex) never stands in for counting tables this limit can afford: the values
        drawn for a field would then depend on which field asked first.
        """
        if limit > _MAX_PATTERN_LENGTH:
            raise SampleError(f"strings of {limit} characters are too long to generate")
        fitting = [t for t in self._tables if t.limit >= limit]
        counted = [t for t in fitting if t.cap > 1]
        if counted:
            return counted[0]
        if limit < self._counting_fails_at:
            tables = _Tables(limit, counting=True)
            try:
                tables.of(self.root)
            except _TooComplexError:
                self._counting_fails_at = limit
            else:
                self._tables.append(tables)
                return tables
        if fitting:
            return fitting[0]
        tables = _Tables(limit, counting=False)
        tables.of(self.root)
        self._tables.append(tables)
        return tables

    def verified(
        self, text: str, low: int, high: int | None, accept: Callable[[str], bool]
    ) -> bool:
        return (
            low <= len(text)
            and (high is None or len(text) <= high)
            and self.regex.fullmatch(text) is not None
            and self.regex.search(text) is not None
            and accept(text)
        )

    def samples(
        self, low: int, high: int | None, count: int, accept: Callable[[str], bool]
    ) -> list[str]:
        """Up to `count` distinct verified strings, shortest admissible lengths first."""
        if self.shortest is None:
            return []
        first = max(low, self.shortest)
        top = first + _LENGTH_WINDOW if high is None else min(high, first + _LENGTH_WINDOW)
        if top < first:
            return []
        tables = self.tables(top)
        counts = tables.of(self.root)
        lengths = list(range(max(first, 1), top + 1)) + ([0] if first == 0 else [])
        found: list[str] = []
        seen: set[str] = set()
        budget = _RANK_BUDGET
        for length in lengths:
            rank = 0
            while rank < counts[length] and budget > 0 and len(found) < count:
                text = tables.build(self.root, length, rank, {})
                rank += 1
                budget -= 1
                if text not in seen and self.verified(text, low, high, accept):
                    seen.add(text)
                    found.append(text)
            if budget <= 0 or len(found) >= count:
                break
        return found

    def exact(self, length: int, accept: Callable[[str], bool]) -> str | None:
        """A verified string of exactly `length` characters, or None."""
        if self.shortest is None or length < self.shortest:
            return None
        tables = self.tables(length)
        total = tables.of(self.root)[length]
        for rank in range(min(total, _EXACT_TRIES)):
            text = tables.build(self.root, length, rank, {})
            if self.verified(text, length, length, accept):
                return text
        return None


_ACCEPT: dict[str, Callable[[str], bool]] = {
    "str": lambda text: "\x00" not in text,
    "email": _is_email,
    "url": _is_url,
}


@lru_cache(maxsize=256)
def _compile(pattern: str) -> _Pattern:
    return _Pattern(pattern)


@lru_cache(maxsize=1024)
def _pattern_samples(
    pattern: str, low: int, high: int | None, kind: str, count: int
) -> tuple[str, ...]:
    compiled = _compile(pattern)
    found = compiled.samples(low, high, count, _ACCEPT[kind])
    if found or kind == "str":
        return tuple(found)
    # Pydantic searches: a loose pattern such as `@corp\.com$` constrains only part of an
    # address. Complete what it produces into an address that still matches.
    parts = compiled.samples(0, high, count, _ACCEPT["str"])
    lead = "user{}" if kind == "email" else _URL_PREFIX + "{}"
    completed: list[str] = []
    for i in range(count * 4 if parts else 0):
        text = lead.format(i) + parts[i % len(parts)]
        fits = low <= len(text) and (high is None or len(text) <= high)
        if fits and compiled.regex.search(text) and _ACCEPT[kind](text):
            completed.append(text)
            if len(completed) == count:
                break
    return tuple(completed)
