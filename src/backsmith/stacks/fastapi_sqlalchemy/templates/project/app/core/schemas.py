"""Base classes and shared types of every request and response schema."""

from datetime import UTC, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, TypeAdapter
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


def omitted() -> Any:
    """Default of a PATCH field: left out means unchanged, and the value is never read.

    (A factory rather than `default=None`, so the schema keeps the field's real type and
    an explicit null for a required field is still a 422.)
    """
    return None


UTCDatetime = Annotated[datetime, AfterValidator(_as_utc)]
WallTime = Annotated[time, AfterValidator(_wall_clock)]
HttpUrlStr = Annotated[
    str,
    Field(min_length=1, max_length=URL_MAX_LENGTH, json_schema_extra={"format": "uri"}),
    AfterValidator(_http_url),
]

# Ids are 32-bit integers; a larger one in a path or body is a 422, never a driver error.
MAX_ID = 2**31 - 1
