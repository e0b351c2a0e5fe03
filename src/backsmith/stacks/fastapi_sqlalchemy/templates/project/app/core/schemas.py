"""Base classes and shared types of every request and response schema."""

import re
from datetime import UTC, date, datetime, time
from decimal import Context, Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    TypeAdapter,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError


class InputSchema(BaseModel):
    """A request body or query: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class ReadSchema(BaseModel):
    """A response body, read from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


# Text that PostgreSQL can store: it refuses NUL characters, so they are a 422, not a 500.
NO_NUL = r"^[^\x00]*$"
URL_MAX_LENGTH = 2048


# Dates and times are ISO 8601 text, as the OpenAPI document says. Pydantic alone would also
# take numbers (`0` is 1970-01-01), which the document calls invalid: the fuzz gate's
# negative-data check caught `?due_on=0` answering 200.
_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_TEXT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"
)
# A wall-clock time of day, as written and as served. JSON Schema's `time` format (RFC 3339
# full-time) requires an offset, which a time of day does not have: documented by pattern.
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)?$"
_TIME_TEXT = re.compile(TIME_PATTERN)


def _iso_text(pattern: re.Pattern[str], kind: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"Input should be an ISO 8601 {kind}")
        if isinstance(value, (int, float)):  # bool included
            raise ValueError(f"Input should be an ISO 8601 {kind} string")
        return value

    return BeforeValidator(check)


def _json_number(value: Any) -> Any:
    # Pydantic's lax mode takes `true` for a number (Python's bool is an int, so
    # `"parent_id": true` named row 1) and numeric strings; the document says number.
    if isinstance(value, (bool, str)):
        raise ValueError("Input should be a JSON number")
    return value


def _as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted to it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("datetime is out of range once converted to UTC") from None


def _wall_clock(value: time) -> time:
    # Times of day are stored without an offset: keep the wall-clock reading.
    return value.replace(tzinfo=None)


_HTTP_URL = TypeAdapter(AnyHttpUrl)


def _http_url(value: str) -> str:
    try:
        normalized = str(_HTTP_URL.validate_python(value))
    except PydanticValidationError:
        raise ValueError("Input should be a valid http(s) URL") from None
    if len(normalized) > URL_MAX_LENGTH:
        raise ValueError(f"URL should have at most {URL_MAX_LENGTH} characters")
    return normalized


# Digits enough for the widest column (38) whatever the thread's context (28 by default).
_WIDE = Context(prec=80)


def scaled(places: int) -> AfterValidator:
    """A decimal read back with the digits its column keeps: NUMERIC(6, 3) stores 1.0 as
    1.000, so a response says `1.000` whether the row was just written or read again."""
    exponent = Decimal(1).scaleb(-places)
    return AfterValidator(lambda value: value.quantize(exponent, context=_WIDE))


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Input should not contain NUL characters")
    return value


def omitted() -> Any:
    """Default of a PATCH field: left out means unchanged, and the value is never read.

    (A factory rather than `default=None`, so the schema keeps the field's real type and
    an explicit null for a required field is still a 422.)
    """
    return None


# Text under a pattern of the document's, which takes the place of NO_NUL.
NulFreeStr = Annotated[str, AfterValidator(_refuse_nul)]
# Numbers of request bodies (query parameters are text, and keep the lax types).
JsonInt = Annotated[int, BeforeValidator(_json_number)]
JsonFloat = Annotated[float, BeforeValidator(_json_number)]
IsoDate = Annotated[date, _iso_text(_DATE_TEXT, "date")]
UTCDatetime = Annotated[datetime, _iso_text(_DATETIME_TEXT, "date-time"), AfterValidator(_as_utc)]
WallTime = Annotated[
    time,
    _iso_text(_TIME_TEXT, "time"),
    AfterValidator(_wall_clock),
    WithJsonSchema({"type": "string", "pattern": TIME_PATTERN}),
]
# A json field that may not be null holds any JSON value but null (JsonValue has null).
JsonPresent = dict[str, JsonValue] | list[JsonValue] | str | bool | int | float
HttpUrlStr = Annotated[
    str,
    Field(min_length=1, max_length=URL_MAX_LENGTH, json_schema_extra={"format": "uri"}),
    AfterValidator(_http_url),
]

# Ids are 32-bit integers; a larger one in a path or body is a 422, never a driver error.
MAX_ID = 2**31 - 1
