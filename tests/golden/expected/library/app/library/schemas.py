"""Request and response bodies of the Lending library feature."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, JsonValue

from app.core.pagination import Page
from app.core.schemas import (
    NO_NUL,
    HttpUrlStr,
    InputSchema,
    IsoDate,
    JsonFloat,
    JsonInt,
    JsonPresent,
    NulFreeStr,
    ReadSchema,
    UTCDatetime,
    omitted,
)
from app.library.models import (
    BookFormat,
)


class AuthorCreate(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=120, pattern=NO_NUL)]
    born_on: IsoDate | None = None
    homepage: HttpUrlStr | None = None


class AuthorUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    name: Annotated[str, Field(min_length=1, max_length=120, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    born_on: IsoDate | None = None
    homepage: HttpUrlStr | None = None


class AuthorRead(ReadSchema):
    id: int
    name: str
    born_on: date | None
    homepage: str | None
    created_at: datetime
    updated_at: datetime


AuthorPage = Page[AuthorRead]


class AuthorListQuery(InputSchema):
    """Query parameters of GET /authors: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "name",
        "-name",
        "id",
        "-id",
    ] = "name"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of name",
    )


class BookCreate(InputSchema):
    title: Annotated[
        str,
        Field(min_length=1, max_length=200, pattern=NO_NUL, examples=["The Left Hand of Darkness"]),
    ]
    isbn: Annotated[
        NulFreeStr,
        Field(
            pattern="^97[89][0-9]{10}$",
            description="ISBN-13, digits only",
            examples=["9780441478125"],
        ),
    ]
    catalog_id: UUID | None = None
    word_count: Annotated[JsonInt, Field(ge=1, le=9223372036854775807)] | None = None
    weight_kg: Annotated[JsonFloat, Field(ge=0.01, le=20.0, allow_inf_nan=False)] | None = None
    format: BookFormat = BookFormat.PAPERBACK
    subjects: JsonPresent = Field(default_factory=list)
    author_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class BookUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    title: Annotated[
        str,
        Field(min_length=1, max_length=200, pattern=NO_NUL, examples=["The Left Hand of Darkness"]),
    ] = Field(default_factory=omitted)
    word_count: Annotated[JsonInt, Field(ge=1, le=9223372036854775807)] | None = None
    weight_kg: Annotated[JsonFloat, Field(ge=0.01, le=20.0, allow_inf_nan=False)] | None = None
    format: BookFormat = Field(default_factory=omitted)
    subjects: JsonPresent = Field(default_factory=omitted)
    author_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] | None = None


class BookRead(ReadSchema):
    id: int
    title: str
    isbn: str
    catalog_id: UUID | None
    word_count: int | None
    weight_kg: float | None
    format: BookFormat
    subjects: JsonValue
    times_lent: int
    author_id: int | None
    created_at: datetime
    updated_at: datetime


BookPage = Page[BookRead]


class BookListQuery(InputSchema):
    """Query parameters of GET /books: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "title",
        "-title",
        "word_count",
        "-word_count",
        "created_at",
        "-created_at",
        "id",
        "-id",
    ] = "title"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of title, isbn",
    )
    format: BookFormat | None = None
    format__in: (
        Annotated[
            str,
            Field(
                pattern="^(hardcover|paperback|ebook|audiobook)(,(hardcover|paperback|ebook|audiobook))*$"
            ),
        ]
        | None
    ) = None
    author_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    word_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] | None = None
    word_count__gte: (
        Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] | None
    ) = None
    word_count__lte: (
        Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] | None
    ) = None


class LoanCreate(InputSchema):
    due_on: IsoDate
    returned_at: UTCDatetime | None = None
    locker_pin: (
        Annotated[
            NulFreeStr,
            Field(
                pattern="^[0-9]{4}$",
                description="PIN for the self-service pickup locker; never shown again",
            ),
        ]
        | None
    ) = None
    book_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]


class LoanUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    due_on: IsoDate = Field(default_factory=omitted)
    returned_at: UTCDatetime | None = None
    locker_pin: (
        Annotated[
            NulFreeStr,
            Field(
                pattern="^[0-9]{4}$",
                description="PIN for the self-service pickup locker; never shown again",
            ),
        ]
        | None
    ) = None
    book_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)


class LoanRead(ReadSchema):
    id: int
    owner_id: int
    due_on: date
    returned_at: datetime | None
    book_id: int
    created_at: datetime
    updated_at: datetime


LoanPage = Page[LoanRead]


class LoanListQuery(InputSchema):
    """Query parameters of GET /loans: paging, order, filters."""

    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "due_on",
        "-due_on",
        "created_at",
        "-created_at",
        "id",
        "-id",
    ] = "due_on"
    book_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    due_on: IsoDate | None = None
    due_on__gte: IsoDate | None = None
    due_on__lte: IsoDate | None = None
    returned_at: UTCDatetime | None = None
    returned_at__gte: UTCDatetime | None = None
    returned_at__lte: UTCDatetime | None = None


class ReviewCreate(InputSchema):
    stars: Annotated[JsonInt, Field(ge=1, le=5)]
    body: Annotated[str, Field(max_length=5000, pattern=NO_NUL)] | None = None
    book_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]


class ReviewUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    stars: Annotated[JsonInt, Field(ge=1, le=5)] = Field(default_factory=omitted)
    body: Annotated[str, Field(max_length=5000, pattern=NO_NUL)] | None = None
    book_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)


class ReviewRead(ReadSchema):
    id: int
    owner_id: int
    stars: int
    body: str | None
    book_id: int
    created_at: datetime
    updated_at: datetime


ReviewPage = Page[ReviewRead]


class ReviewListQuery(InputSchema):
    """Query parameters of GET /reviews: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "created_at",
        "-created_at",
        "stars",
        "-stars",
        "id",
        "-id",
    ] = "-created_at"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of body",
    )
    book_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    stars: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    stars__gte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
    stars__lte: Annotated[int, Field(ge=-2147483648, le=2147483647)] | None = None
