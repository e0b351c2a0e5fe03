"""Database models of the Lending library feature."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, TimestampMixin, UTCDateTime


class Author(IdMixin, TimestampMixin, Base):
    __tablename__ = "authors"
    __table_args__ = (
        Index(
            "ix_authors_name_id",
            "name",
            "id",
        ),
    )

    name: Mapped[str] = mapped_column(String(120), index=True)
    born_on: Mapped[date | None] = mapped_column(Date())
    homepage: Mapped[str | None] = mapped_column(String(2048))


class BookFormat(StrEnum):
    HARDCOVER = "hardcover"
    PAPERBACK = "paperback"
    EBOOK = "ebook"
    AUDIOBOOK = "audiobook"


class Book(IdMixin, TimestampMixin, Base):
    __tablename__ = "books"
    __table_args__ = (
        Index(
            "ix_books_title_id",
            "title",
            "id",
        ),
        Index(
            "ix_books_word_count_id",
            "word_count",
            "id",
        ),
        Index(
            "ix_books_created_at_id",
            "created_at",
            "id",
        ),
    )

    title: Mapped[str] = mapped_column(String(200), index=True)
    isbn: Mapped[str] = mapped_column(String(), unique=True, comment="ISBN-13, digits only")
    catalog_id: Mapped[UUID | None] = mapped_column(Uuid(), unique=True)
    word_count: Mapped[int | None] = mapped_column(BigInteger())
    weight_kg: Mapped[float | None] = mapped_column(Float())
    format: Mapped[str] = mapped_column(String(9), index=True, default="paperback")
    subjects: Mapped[Any] = mapped_column(JSON(), default=list)
    times_lent: Mapped[int] = mapped_column(Integer(), default=0)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="SET NULL"), index=True
    )


class Loan(IdMixin, TimestampMixin, Base):
    __tablename__ = "loans"
    __table_args__ = (
        Index(
            "ix_loans_due_on_id",
            "due_on",
            "id",
        ),
        Index(
            "ix_loans_owner_id_due_on_id",
            "owner_id",
            "due_on",
            "id",
        ),
        Index(
            "ix_loans_created_at_id",
            "created_at",
            "id",
        ),
        Index(
            "ix_loans_owner_id_created_at_id",
            "owner_id",
            "created_at",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    locker_pin: Mapped[str | None] = mapped_column(
        String(), comment="PIN for the self-service pickup locker; never shown again"
    )
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="RESTRICT"), index=True)


class Review(IdMixin, TimestampMixin, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint(
            "book_id",
            "owner_id",
        ),
        Index(
            "ix_reviews_created_at_id",
            "created_at",
            "id",
        ),
        Index(
            "ix_reviews_owner_id_created_at_id",
            "owner_id",
            "created_at",
            "id",
        ),
        Index(
            "ix_reviews_stars_id",
            "stars",
            "id",
        ),
        Index(
            "ix_reviews_owner_id_stars_id",
            "owner_id",
            "stars",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(Integer())
    body: Mapped[str | None] = mapped_column(Text())
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id", ondelete="CASCADE"), index=True)
