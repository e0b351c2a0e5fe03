"""Business rules of the Lending library feature that the spec does not declare.

The service calls these hooks before it writes. Refuse a change by raising a domain
error from `app.core.errors` (InvalidInput for a 422 on a field, Conflict for a 409,
Forbidden for a 403); adjust `values` or `changes` in place to derive fields.
backsmith writes this module once and afterwards only adds the hooks of new entities:
the code in it is yours.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.library.models import (
    Author,
    Book,
    Loan,
    Review,
)


async def before_create_author(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new author."""


async def before_update_author(
    session: AsyncSession, user: User | None, author: Author, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_author(session: AsyncSession, user: User | None, author: Author) -> None:
    """Called before the author is deleted."""


async def before_create_book(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new book."""


async def before_update_book(
    session: AsyncSession, user: User | None, book: Book, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_book(session: AsyncSession, user: User | None, book: Book) -> None:
    """Called before the book is deleted."""


async def before_create_loan(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new loan."""


async def before_update_loan(
    session: AsyncSession, user: User | None, loan: Loan, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_loan(session: AsyncSession, user: User | None, loan: Loan) -> None:
    """Called before the loan is deleted."""


async def before_create_review(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new review."""


async def before_update_review(
    session: AsyncSession, user: User | None, review: Review, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_review(session: AsyncSession, user: User | None, review: Review) -> None:
    """Called before the review is deleted."""
