"""Validating dependencies: load a row the caller may read, or answer 404."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.dependencies import OptionalUser, SessionDep
from app.core.schemas import MAX_ID
from app.library import service
from app.library.models import (
    Author,
    Book,
    Loan,
    Review,
)


async def valid_author(
    author_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Author:
    return await service.get_author(session, user, author_id)


ValidAuthor = Annotated[Author, Depends(valid_author)]


async def valid_book(
    book_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Book:
    return await service.get_book(session, user, book_id)


ValidBook = Annotated[Book, Depends(valid_book)]


async def valid_loan(
    loan_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Loan:
    return await service.get_loan(session, user, loan_id)


ValidLoan = Annotated[Loan, Depends(valid_loan)]


async def valid_review(
    review_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Review:
    return await service.get_review(session, user, review_id)


ValidReview = Annotated[Review, Depends(valid_review)]
