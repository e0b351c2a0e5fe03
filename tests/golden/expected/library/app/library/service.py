"""Business rules of the Lending library feature.

Every function takes the caller (`user`, None when anonymous) and applies the entity's
access rules inside the query: a row the caller may not read is never loaded. Services
flush; the request's session commits once.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import User
from app.core.access import EntityAccess, Rule, Scope, authorize, authorize_row
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import SortOrder, paginate
from app.core.search import contains
from app.library import rules
from app.library.models import (
    Author,
    Book,
    Loan,
    Review,
)
from app.library.schemas import (
    AuthorCreate,
    AuthorListQuery,
    AuthorUpdate,
    BookCreate,
    BookListQuery,
    BookUpdate,
    LoanCreate,
    LoanListQuery,
    LoanUpdate,
    ReviewCreate,
    ReviewListQuery,
    ReviewUpdate,
)


async def _flush(session: AsyncSession) -> None:
    """Flush; a constraint the checks could not foresee (a concurrent write) is a 409."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The change conflicts with existing data; reload and retry.") from None


# --- Author -------------------------------------------------------------------

AUTHOR_ACCESS = EntityAccess(
    list=Rule(public=True),
    read=Rule(public=True),
    create=Rule(roles=frozenset({"librarian"})),
    update=Rule(roles=frozenset({"librarian"})),
    delete=Rule(roles=frozenset({"librarian"})),
)

_AUTHOR_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "name": (Author.name, False),
    "id": (Author.id, False),
}


def _authors_visible_to(user: User | None, rule: Rule, action: str) -> Select[Author]:
    """The authors `user` may see for `action` (401/403 if none)."""
    authorize(rule, user, action)
    return select(Author)


async def list_authors(
    session: AsyncSession, user: User | None, query: AuthorListQuery
) -> tuple[Sequence[Author], str | None]:
    """One page of the authors the caller may read, and the next page's cursor."""
    statement = _authors_visible_to(user, AUTHOR_ACCESS.list, "list")
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Author.name, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _AUTHOR_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Author.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_author(session: AsyncSession, user: User | None, author_id: int) -> Author:
    """The author, if the caller may read it; 404 otherwise."""
    statement = _authors_visible_to(user, AUTHOR_ACCESS.read, "read")
    author = await session.scalar(statement.where(Author.id == author_id))
    if author is None:
        raise NotFound("Author", author_id)
    return author


async def create_author(session: AsyncSession, user: User | None, data: AuthorCreate) -> Author:
    authorize(AUTHOR_ACCESS.create, user, "create")
    values = data.model_dump()
    await rules.before_create_author(session, user, values)
    author = Author(**values)
    session.add(author)
    await _flush(session)
    return author


async def update_author(
    session: AsyncSession, user: User | None, author: Author, data: AuthorUpdate
) -> Author:
    authorize_row(AUTHOR_ACCESS.update, user, "update", None)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_author(session, user, author, changes)
    for name, value in changes.items():
        setattr(author, name, value)
    await _flush(session)
    return author


async def delete_author(session: AsyncSession, user: User | None, author: Author) -> None:
    authorize_row(AUTHOR_ACCESS.delete, user, "delete", None)
    await rules.before_delete_author(session, user, author)
    await session.delete(author)
    await _flush(session)


# --- Book ---------------------------------------------------------------------

BOOK_ACCESS = EntityAccess(
    list=Rule(public=True),
    read=Rule(public=True),
    create=Rule(roles=frozenset({"librarian"})),
    update=Rule(roles=frozenset({"librarian"})),
    delete=Rule(roles=frozenset({"librarian"})),
)

_BOOK_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "title": (Book.title, False),
    "word_count": (Book.word_count, True),
    "created_at": (Book.created_at, False),
    "id": (Book.id, False),
}


def _books_visible_to(user: User | None, rule: Rule, action: str) -> Select[Book]:
    """The books `user` may see for `action` (401/403 if none)."""
    authorize(rule, user, action)
    return select(Book)


async def list_books(
    session: AsyncSession, user: User | None, query: BookListQuery
) -> tuple[Sequence[Book], str | None]:
    """One page of the books the caller may read, and the next page's cursor."""
    statement = _books_visible_to(user, BOOK_ACCESS.list, "list")
    if query.format is not None:
        statement = statement.where(Book.format == query.format)
    if query.format__in is not None:
        statement = statement.where(Book.format.in_(query.format__in.split(",")))
    if query.author_id is not None:
        statement = statement.where(Book.author_id == query.author_id)
    if query.word_count is not None:
        statement = statement.where(Book.word_count == query.word_count)
    if query.word_count__gte is not None:
        statement = statement.where(Book.word_count >= query.word_count__gte)
    if query.word_count__lte is not None:
        statement = statement.where(Book.word_count <= query.word_count__lte)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Book.title, query.q),
                contains(Book.isbn, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _BOOK_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Book.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_book(session: AsyncSession, user: User | None, book_id: int) -> Book:
    """The book, if the caller may read it; 404 otherwise."""
    statement = _books_visible_to(user, BOOK_ACCESS.read, "read")
    book = await session.scalar(statement.where(Book.id == book_id))
    if book is None:
        raise NotFound("Book", book_id)
    return book


async def _check_book_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("author_id")) is not None:
        author_rows = _authors_visible_to(user, AUTHOR_ACCESS.read, "read")
        if await session.scalar(author_rows.where(Author.id == value)) is None:
            raise InvalidInput(
                ["body", "author_id"], f"Author {value} does not exist.", "foreign_key"
            )


async def _check_book_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another book already has these unique values."""
    others = select(Book.id).where(Book.id != exclude_id)
    if values.get("isbn") is not None and await session.scalar(
        select(exists(others.where(Book.isbn == values["isbn"])))
    ):
        raise Conflict("A book with this isbn already exists.")
    if values.get("catalog_id") is not None and await session.scalar(
        select(exists(others.where(Book.catalog_id == values["catalog_id"])))
    ):
        raise Conflict("A book with this catalog_id already exists.")


async def create_book(session: AsyncSession, user: User | None, data: BookCreate) -> Book:
    authorize(BOOK_ACCESS.create, user, "create")
    values = data.model_dump()
    await rules.before_create_book(session, user, values)
    await _check_book_references(session, user, values)
    await _check_book_unique(session, values, exclude_id=None)
    book = Book(**values)
    session.add(book)
    await _flush(session)
    return book


async def update_book(
    session: AsyncSession, user: User | None, book: Book, data: BookUpdate
) -> Book:
    authorize_row(BOOK_ACCESS.update, user, "update", None)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_book(session, user, book, changes)
    await _check_book_references(session, user, changes)
    current = {name: getattr(book, name) for name in ("isbn", "catalog_id")}
    await _check_book_unique(session, {**current, **changes}, exclude_id=book.id)
    for name, value in changes.items():
        setattr(book, name, value)
    await _flush(session)
    return book


async def delete_book(session: AsyncSession, user: User | None, book: Book) -> None:
    authorize_row(BOOK_ACCESS.delete, user, "delete", None)
    await rules.before_delete_book(session, user, book)
    if await session.scalar(select(exists().where(Loan.book_id == book.id))):
        raise Conflict(f"Book {book.id} still has loans; delete them first.")
    await session.delete(book)
    await _flush(session)


# --- Loan ---------------------------------------------------------------------

LOAN_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"librarian"})),
    read=Rule(owner=True, roles=frozenset({"librarian"})),
    create=Rule(authenticated=True),
    update=Rule(roles=frozenset({"librarian"})),
    delete=Rule(roles=frozenset({"librarian"})),
)

_LOAN_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "due_on": (Loan.due_on, False),
    "created_at": (Loan.created_at, False),
    "id": (Loan.id, False),
}


def _loans_visible_to(user: User | None, rule: Rule, action: str) -> Select[Loan]:
    """The loans `user` may see for `action` (401/403 if none)."""
    statement = select(Loan)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Loan.owner_id == user.id)
    return statement


async def list_loans(
    session: AsyncSession, user: User | None, query: LoanListQuery
) -> tuple[Sequence[Loan], str | None]:
    """One page of the loans the caller may read, and the next page's cursor."""
    statement = _loans_visible_to(user, LOAN_ACCESS.list, "list")
    if query.book_id is not None:
        statement = statement.where(Loan.book_id == query.book_id)
    if query.due_on is not None:
        statement = statement.where(Loan.due_on == query.due_on)
    if query.due_on__gte is not None:
        statement = statement.where(Loan.due_on >= query.due_on__gte)
    if query.due_on__lte is not None:
        statement = statement.where(Loan.due_on <= query.due_on__lte)
    if query.returned_at is not None:
        statement = statement.where(Loan.returned_at == query.returned_at)
    if query.returned_at__gte is not None:
        statement = statement.where(Loan.returned_at >= query.returned_at__gte)
    if query.returned_at__lte is not None:
        statement = statement.where(Loan.returned_at <= query.returned_at__lte)
    key = query.sort.removeprefix("-")
    column, nullable = _LOAN_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Loan.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_loan(session: AsyncSession, user: User | None, loan_id: int) -> Loan:
    """The loan, if the caller may read it; 404 otherwise."""
    statement = _loans_visible_to(user, LOAN_ACCESS.read, "read")
    loan = await session.scalar(statement.where(Loan.id == loan_id))
    if loan is None:
        raise NotFound("Loan", loan_id)
    return loan


async def _check_loan_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("book_id")) is not None:
        book_rows = _books_visible_to(user, BOOK_ACCESS.read, "read")
        if await session.scalar(book_rows.where(Book.id == value)) is None:
            raise InvalidInput(["body", "book_id"], f"Book {value} does not exist.", "foreign_key")


async def create_loan(session: AsyncSession, user: User | None, data: LoanCreate) -> Loan:
    authorize(LOAN_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_loan(session, user, values)
    await _check_loan_references(session, user, values)
    loan = Loan(**values)
    session.add(loan)
    await _flush(session)
    return loan


async def update_loan(
    session: AsyncSession, user: User | None, loan: Loan, data: LoanUpdate
) -> Loan:
    authorize_row(LOAN_ACCESS.update, user, "update", loan.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_loan(session, user, loan, changes)
    await _check_loan_references(session, user, changes)
    for name, value in changes.items():
        setattr(loan, name, value)
    await _flush(session)
    return loan


async def delete_loan(session: AsyncSession, user: User | None, loan: Loan) -> None:
    authorize_row(LOAN_ACCESS.delete, user, "delete", loan.owner_id)
    await rules.before_delete_loan(session, user, loan)
    await session.delete(loan)
    await _flush(session)


# --- Review -------------------------------------------------------------------

REVIEW_ACCESS = EntityAccess(
    list=Rule(public=True),
    read=Rule(public=True),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)

_REVIEW_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "created_at": (Review.created_at, False),
    "stars": (Review.stars, False),
    "id": (Review.id, False),
}


def _reviews_visible_to(user: User | None, rule: Rule, action: str) -> Select[Review]:
    """The reviews `user` may see for `action` (401/403 if none)."""
    statement = select(Review)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Review.owner_id == user.id)
    return statement


async def list_reviews(
    session: AsyncSession, user: User | None, query: ReviewListQuery
) -> tuple[Sequence[Review], str | None]:
    """One page of the reviews the caller may read, and the next page's cursor."""
    statement = _reviews_visible_to(user, REVIEW_ACCESS.list, "list")
    if query.book_id is not None:
        statement = statement.where(Review.book_id == query.book_id)
    if query.stars is not None:
        statement = statement.where(Review.stars == query.stars)
    if query.stars__gte is not None:
        statement = statement.where(Review.stars >= query.stars__gte)
    if query.stars__lte is not None:
        statement = statement.where(Review.stars <= query.stars__lte)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Review.body, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _REVIEW_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Review.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_review(session: AsyncSession, user: User | None, review_id: int) -> Review:
    """The review, if the caller may read it; 404 otherwise."""
    statement = _reviews_visible_to(user, REVIEW_ACCESS.read, "read")
    review = await session.scalar(statement.where(Review.id == review_id))
    if review is None:
        raise NotFound("Review", review_id)
    return review


async def _check_review_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("book_id")) is not None:
        book_rows = _books_visible_to(user, BOOK_ACCESS.read, "read")
        if await session.scalar(book_rows.where(Book.id == value)) is None:
            raise InvalidInput(["body", "book_id"], f"Book {value} does not exist.", "foreign_key")


async def _check_review_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another review already has these unique values."""
    others = select(Review.id).where(Review.id != exclude_id)
    if all(
        values.get(name) is not None for name in ("book_id", "owner_id")
    ) and await session.scalar(
        select(
            exists(
                others.where(
                    Review.book_id == values["book_id"],
                    Review.owner_id == values["owner_id"],
                )
            )
        )
    ):
        raise Conflict("A review with the same book, owner already exists.")


async def create_review(session: AsyncSession, user: User | None, data: ReviewCreate) -> Review:
    authorize(REVIEW_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_review(session, user, values)
    await _check_review_references(session, user, values)
    await _check_review_unique(session, values, exclude_id=None)
    review = Review(**values)
    session.add(review)
    await _flush(session)
    return review


async def update_review(
    session: AsyncSession, user: User | None, review: Review, data: ReviewUpdate
) -> Review:
    authorize_row(REVIEW_ACCESS.update, user, "update", review.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_review(session, user, review, changes)
    await _check_review_references(session, user, changes)
    current = {name: getattr(review, name) for name in ("book_id", "owner_id")}
    await _check_review_unique(session, {**current, **changes}, exclude_id=review.id)
    for name, value in changes.items():
        setattr(review, name, value)
    await _flush(session)
    return review


async def delete_review(session: AsyncSession, user: User | None, review: Review) -> None:
    authorize_row(REVIEW_ACCESS.delete, user, "delete", review.owner_id)
    await rules.before_delete_review(session, user, review)
    await session.delete(review)
    await _flush(session)
