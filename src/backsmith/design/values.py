"""What each field accepts over the wire, as data: the same in every target.

A renderer turns a `Domain` into its own validation (Pydantic `Field(...)` arguments, a
TypeBox schema, ...); it never works out a bound itself. The rules that are not in the
document but follow from storing the value:

- an integer stays inside its column (32 or 64 bits), or a huge one becomes a database
  error, a 500, instead of a 422;
- str and text refuse NUL, which PostgreSQL cannot store; a field's own pattern is
  checked as well, since a pattern may match around a NUL;
- a float or decimal is finite: JSON has no infinity, and a stored one could not be read
  back;
- an email or URL is no longer than its column.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from backsmith.spec.model import Field, FieldType

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
COLUMN_RANGES = {FieldType.INT: INT32, FieldType.BIGINT: INT64}
EMAIL_MAX = 320  # RFC 5321's local part and domain: the column's length
URL_MAX = 2048  # what browsers and proxies commonly carry
# Text PostgreSQL can store: it refuses NUL characters, which must be a 422, not a 500.
NO_NUL = r"^[^\x00]*$"

Number = int | float | Decimal


@dataclass(frozen=True)
class Domain:
    """The values one field accepts in a request."""

    kind: FieldType
    min_length: int | None = None
    max_length: int | None = None  # the document's, within the column's for email and URL
    pattern: str | None = None  # the document's own
    nul_free: bool = False  # refuses NUL whatever the pattern says
    minimum: Number | None = None  # inclusive; an integer's column range when unbounded
    maximum: Number | None = None
    finite: bool = False  # no infinity and no NaN
    digits: int | None = None  # a decimal's precision ...
    places: int | None = None  # ... and scale
    values: tuple[str, ...] = ()  # an enum's, in declared order

    @property
    def column_limit(self) -> int | None:
        """The length an email or URL column holds, which bounds the value too."""
        return {FieldType.EMAIL: EMAIL_MAX, FieldType.URL: URL_MAX}.get(self.kind)


def domain_of(field: Field) -> Domain:
    kind = field.type
    if kind in (FieldType.STR, FieldType.TEXT, FieldType.EMAIL, FieldType.URL):
        return Domain(
            kind,
            min_length=field.min_length,
            max_length=field.max_length,
            pattern=field.pattern,
            nul_free=kind in (FieldType.STR, FieldType.TEXT),
        )
    if kind in COLUMN_RANGES:
        low, high = COLUMN_RANGES[kind]
        return Domain(
            kind,
            minimum=int(field.min) if field.min is not None else low,
            maximum=int(field.max) if field.max is not None else high,
        )
    if kind is FieldType.FLOAT:
        return Domain(
            kind,
            minimum=float(field.min) if field.min is not None else None,
            maximum=float(field.max) if field.max is not None else None,
            finite=True,
        )
    if kind is FieldType.DECIMAL:
        return Domain(
            kind,
            minimum=Decimal(str(field.min)) if field.min is not None else None,
            maximum=Decimal(str(field.max)) if field.max is not None else None,
            finite=True,
            digits=field.precision,
            places=field.scale,
        )
    return Domain(kind, values=field.values)
