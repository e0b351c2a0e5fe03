import enum
import uuid
from datetime import UTC, date, datetime
from typing import Any

from pydantic import EmailStr, field_validator
from sqlalchemy import JSON, Column, Enum, Index, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# Shared properties
class UserBase(SQLModel):
    email: EmailStr = Field(unique=True, index=True, max_length=255)
    is_active: bool = True
    is_superuser: bool = False
    full_name: str | None = Field(default=None, max_length=255)


# Properties to receive via API on creation (by a superuser)
class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)


# Properties to receive on public sign-up
class UserRegister(SQLModel):
    email: EmailStr = Field(max_length=255)
    password: str = Field(min_length=8, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)


# Database model, database table inferred from class name
class User(UserBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    hashed_password: str
    created_at: datetime = Field(default_factory=utcnow)
    items: list["Item"] = Relationship(back_populates="owner", cascade_delete=True)


# Properties to return via API, id is always required
class UserPublic(UserBase):
    id: uuid.UUID


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int


class ItemBase(SQLModel):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class ItemCreate(ItemBase):
    pass


class ItemUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class Item(ItemBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    owner_id: uuid.UUID = Field(
        foreign_key="user.id", nullable=False, ondelete="CASCADE"
    )
    owner: User | None = Relationship(back_populates="items")


class ItemPublic(ItemBase):
    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime


class ItemsPublic(SQLModel):
    data: list[ItemPublic]
    count: int


# Generic message
class Message(SQLModel):
    message: str


# JSON payload containing access token
class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


# Contents of JWT token
class TokenPayload(SQLModel):
    sub: str | None = None


def iso_8601(value: object) -> object:
    """Dates and times only as ISO 8601 text: pydantic would also read a number (`0`,
    `"0.5"`) as seconds since 1970."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError(
            "expected ISO 8601 text, such as 2030-01-31 or 2030-01-31T09:00:00Z"
        )
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def in_utc(value: datetime | None) -> datetime | None:
    """A datetime in UTC: moved there from another offset, or taken as UTC without one.
    SQLite keeps no offset, so a value stored in UTC reads back as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # the first or last day of the calendar, moved past its end
        raise ValueError("datetime is out of range once converted to UTC") from None


def json_number(value: object) -> object:
    """A number only as a JSON number: pydantic would also read `true` (Python's bool is
    an int, so `"parent_id": true` would name row 1) and numeric text."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a JSON number")
    return value


class AuthorBase(SQLModel):
    name: str = Field(
        min_length=1,
        max_length=120,
        schema_extra={"pattern": "^[^\\x00]*$"},
        index=True,
    )
    born_on: date | None = Field(default=None)
    homepage: str | None = Field(
        default=None,
        max_length=2048,
        schema_extra={"pattern": "^https?://[^\\s\\x00]+$"},
    )

    @field_validator("born_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)


class AuthorCreate(AuthorBase):
    pass


class AuthorUpdate(SQLModel):
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=120,
        schema_extra={"pattern": "^[^\\x00]*$"},
    )
    born_on: date | None = Field(
        default=None,
    )
    homepage: str | None = Field(
        default=None,
        max_length=2048,
        schema_extra={"pattern": "^https?://[^\\s\\x00]+$"},
    )

    @field_validator("name")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("born_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)


class Author(AuthorBase, table=True):
    __table_args__ = (Index("ix_author_name_id", "name", "id"),)

    id: int | None = Field(default=None, primary_key=True)


class AuthorPublic(AuthorBase):
    id: int


class AuthorsPublic(SQLModel):
    data: list[AuthorPublic]
    count: int


class BookFormat(enum.StrEnum):
    HARDCOVER = "hardcover"
    PAPERBACK = "paperback"
    EBOOK = "ebook"
    AUDIOBOOK = "audiobook"


class BookBase(SQLModel):
    title: str = Field(
        min_length=1,
        max_length=200,
        schema_extra={"pattern": "^[^\\x00]*$"},
        index=True,
    )
    isbn: str = Field(schema_extra={"pattern": "^97[89][0-9]{10}$"}, unique=True)
    catalog_id: uuid.UUID | None = Field(default=None, unique=True)
    word_count: int | None = Field(default=None, ge=1, le=9223372036854775807)
    weight_kg: float | None = Field(
        default=None, ge=0.01, le=20.0, schema_extra={"allow_inf_nan": False}
    )
    format: BookFormat = Field(
        default=BookFormat.PAPERBACK,
        sa_column=Column(
            Enum(
                BookFormat,
                native_enum=False,
                length=9,
                values_callable=lambda kinds: [kind.value for kind in kinds],
            ),
            index=True,
            nullable=False,
        ),
    )
    subjects: Any = Field(default=[], sa_type=JSON)
    author_id: int | None = Field(
        default=None,
        ge=1,
        le=2147483647,
        foreign_key="author.id",
        ondelete="SET NULL",
        index=True,
    )

    @field_validator("word_count", "weight_kg", "author_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class BookCreate(BookBase):
    pass


class BookUpdate(SQLModel):
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        schema_extra={"pattern": "^[^\\x00]*$"},
    )
    word_count: int | None = Field(default=None, ge=1, le=9223372036854775807)
    weight_kg: float | None = Field(
        default=None, ge=0.01, le=20.0, schema_extra={"allow_inf_nan": False}
    )
    format: BookFormat | None = Field(
        default=None,
    )
    subjects: Any | None = Field(
        default=None,
    )
    author_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("title", "format", "subjects")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("word_count", "weight_kg", "author_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class Book(BookBase, table=True):
    __table_args__ = (
        Index("ix_book_title_id", "title", "id"),
        Index("ix_book_word_count_id", "word_count", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    times_lent: int = Field(default=0, ge=0, le=2147483647)


class BookPublic(BookBase):
    id: int
    times_lent: int


class BooksPublic(SQLModel):
    data: list[BookPublic]
    count: int


class LoanBase(SQLModel):
    due_on: date = Field()
    returned_at: datetime | None = Field(default=None, index=True)
    locker_pin: str | None = Field(default=None, schema_extra={"pattern": "^[0-9]{4}$"})
    book_id: int = Field(
        ge=1, le=2147483647, foreign_key="book.id", ondelete="RESTRICT", index=True
    )

    @field_validator("due_on", "returned_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("returned_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)

    @field_validator("book_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class LoanCreate(LoanBase):
    pass


class LoanUpdate(SQLModel):
    due_on: date | None = Field(
        default=None,
    )
    returned_at: datetime | None = Field(
        default=None,
    )
    locker_pin: str | None = Field(default=None, schema_extra={"pattern": "^[0-9]{4}$"})
    book_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("due_on", "book_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("due_on", "returned_at", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("returned_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return in_utc(value)

    @field_validator("book_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class Loan(LoanBase, table=True):
    __table_args__ = (
        Index("ix_loan_due_on_id", "due_on", "id"),
        Index("ix_loan_owner_id_due_on_id", "owner_id", "due_on", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class LoanPublic(LoanBase):
    id: int
    owner_id: uuid.UUID


class LoansPublic(SQLModel):
    data: list[LoanPublic]
    count: int


class ReviewBase(SQLModel):
    stars: int = Field(ge=1, le=5)
    body: str | None = Field(
        default=None, max_length=5000, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    book_id: int = Field(
        ge=1, le=2147483647, foreign_key="book.id", ondelete="CASCADE", index=True
    )

    @field_validator("stars", "book_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class ReviewCreate(ReviewBase):
    pass


class ReviewUpdate(SQLModel):
    stars: int | None = Field(default=None, ge=1, le=5)
    body: str | None = Field(
        default=None, max_length=5000, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    book_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("stars", "book_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("stars", "book_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class Review(ReviewBase, table=True):
    __table_args__ = (
        UniqueConstraint("book_id", "owner_id"),
        Index("ix_review_stars_id", "stars", "id"),
        Index("ix_review_owner_id_stars_id", "owner_id", "stars", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class ReviewPublic(ReviewBase):
    id: int
    owner_id: uuid.UUID


class ReviewsPublic(SQLModel):
    data: list[ReviewPublic]
    count: int


class LibraryUserRole(SQLModel, table=True):
    """One role a user holds in the library feature, as its access rules name
    them (`role:NAME`). Granted by adding a row, taken away by deleting it."""

    __tablename__ = "library_user_role"

    user_id: uuid.UUID = Field(
        foreign_key="user.id", ondelete="CASCADE", primary_key=True
    )
    role: str = Field(max_length=64, primary_key=True)
