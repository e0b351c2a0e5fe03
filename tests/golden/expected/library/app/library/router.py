"""HTTP endpoints of the Lending library feature."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.dependencies import OptionalUser, SessionDep
from app.core.errors import OPTIONAL_AUTH, problem_responses
from app.library import service
from app.library.dependencies import (
    ValidAuthor,
    ValidBook,
    ValidLoan,
    ValidReview,
)
from app.library.models import (
    Author,
    Book,
    Loan,
    Review,
)
from app.library.schemas import (
    AuthorCreate,
    AuthorListQuery,
    AuthorPage,
    AuthorRead,
    AuthorUpdate,
    BookCreate,
    BookListQuery,
    BookPage,
    BookRead,
    BookUpdate,
    LoanCreate,
    LoanListQuery,
    LoanPage,
    LoanRead,
    LoanUpdate,
    ReviewCreate,
    ReviewListQuery,
    ReviewPage,
    ReviewRead,
    ReviewUpdate,
)

router = APIRouter()


@router.get(
    "/authors",
    tags=["authors"],
    response_model=AuthorPage,
    responses=problem_responses(401, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def list_authors(
    query: Annotated[AuthorListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the authors you may read, one page at a time."""
    rows, next_cursor = await service.list_authors(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/authors",
    tags=["authors"],
    status_code=status.HTTP_201_CREATED,
    response_model=AuthorRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_author(
    data: AuthorCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Author:
    """Create a author; its URL is in the Location header."""
    author = await service.create_author(session, user, data)
    response.headers["Location"] = str(request.url_for("get_author", author_id=author.id))
    return author


@router.get(
    "/authors/{author_id}",
    tags=["authors"],
    response_model=AuthorRead,
    responses=problem_responses(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def get_author(author: ValidAuthor) -> Author:
    """Read one author."""
    return author


@router.patch(
    "/authors/{author_id}",
    tags=["authors"],
    response_model=AuthorRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_author(
    author: ValidAuthor, data: AuthorUpdate, session: SessionDep, user: OptionalUser
) -> Author:
    """Change the fields you send; the others keep their values."""
    return await service.update_author(session, user, author, data)


@router.delete(
    "/authors/{author_id}",
    tags=["authors"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_author(author: ValidAuthor, session: SessionDep, user: OptionalUser) -> None:
    """Delete a author."""
    await service.delete_author(session, user, author)


@router.get(
    "/books",
    tags=["books"],
    response_model=BookPage,
    responses=problem_responses(401, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def list_books(
    query: Annotated[BookListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the books you may read, one page at a time."""
    rows, next_cursor = await service.list_books(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/books",
    tags=["books"],
    status_code=status.HTTP_201_CREATED,
    response_model=BookRead,
    responses=problem_responses(201, 400, 401, 403, 409, 422),
)
async def create_book(
    data: BookCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Book:
    """Create a book; its URL is in the Location header."""
    book = await service.create_book(session, user, data)
    response.headers["Location"] = str(request.url_for("get_book", book_id=book.id))
    return book


@router.get(
    "/books/{book_id}",
    tags=["books"],
    response_model=BookRead,
    responses=problem_responses(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def get_book(book: ValidBook) -> Book:
    """Read one book."""
    return book


@router.patch(
    "/books/{book_id}",
    tags=["books"],
    response_model=BookRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_book(
    book: ValidBook, data: BookUpdate, session: SessionDep, user: OptionalUser
) -> Book:
    """Change the fields you send; the others keep their values."""
    return await service.update_book(session, user, book, data)


@router.delete(
    "/books/{book_id}",
    tags=["books"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_book(book: ValidBook, session: SessionDep, user: OptionalUser) -> None:
    """Delete a book."""
    await service.delete_book(session, user, book)


@router.get(
    "/loans",
    tags=["loans"],
    response_model=LoanPage,
    responses=problem_responses(401, 403, 422),
)
async def list_loans(
    query: Annotated[LoanListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the loans you may read, one page at a time."""
    rows, next_cursor = await service.list_loans(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/loans",
    tags=["loans"],
    status_code=status.HTTP_201_CREATED,
    response_model=LoanRead,
    responses=problem_responses(201, 400, 401, 409, 422),
)
async def create_loan(
    data: LoanCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Loan:
    """Create a loan; its URL is in the Location header."""
    loan = await service.create_loan(session, user, data)
    response.headers["Location"] = str(request.url_for("get_loan", loan_id=loan.id))
    return loan


@router.get(
    "/loans/{loan_id}",
    tags=["loans"],
    response_model=LoanRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_loan(loan: ValidLoan) -> Loan:
    """Read one loan."""
    return loan


@router.patch(
    "/loans/{loan_id}",
    tags=["loans"],
    response_model=LoanRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_loan(
    loan: ValidLoan, data: LoanUpdate, session: SessionDep, user: OptionalUser
) -> Loan:
    """Change the fields you send; the others keep their values."""
    return await service.update_loan(session, user, loan, data)


@router.delete(
    "/loans/{loan_id}",
    tags=["loans"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_loan(loan: ValidLoan, session: SessionDep, user: OptionalUser) -> None:
    """Delete a loan."""
    await service.delete_loan(session, user, loan)


@router.get(
    "/reviews",
    tags=["reviews"],
    response_model=ReviewPage,
    responses=problem_responses(401, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def list_reviews(
    query: Annotated[ReviewListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the reviews you may read, one page at a time."""
    rows, next_cursor = await service.list_reviews(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/reviews",
    tags=["reviews"],
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewRead,
    responses=problem_responses(201, 400, 401, 409, 422),
)
async def create_review(
    data: ReviewCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Review:
    """Create a review; its URL is in the Location header."""
    review = await service.create_review(session, user, data)
    response.headers["Location"] = str(request.url_for("get_review", review_id=review.id))
    return review


@router.get(
    "/reviews/{review_id}",
    tags=["reviews"],
    response_model=ReviewRead,
    responses=problem_responses(401, 404, 422),
    openapi_extra=OPTIONAL_AUTH,
)
async def get_review(review: ValidReview) -> Review:
    """Read one review."""
    return review


@router.patch(
    "/reviews/{review_id}",
    tags=["reviews"],
    response_model=ReviewRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_review(
    review: ValidReview, data: ReviewUpdate, session: SessionDep, user: OptionalUser
) -> Review:
    """Change the fields you send; the others keep their values."""
    return await service.update_review(session, user, review, data)


@router.delete(
    "/reviews/{review_id}",
    tags=["reviews"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_review(review: ValidReview, session: SessionDep, user: OptionalUser) -> None:
    """Delete a review."""
    await service.delete_review(session, user, review)
