import uuid
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from sqlalchemy import ColumnElement, delete, false, func, or_, true, update
from sqlmodel import Session, col, select

from app.core.security import get_password_hash, verify_password
from app.models import (
    Author,
    AuthorCreate,
    AuthorUpdate,
    Book,
    BookCreate,
    BookUpdate,
    Item,
    ItemCreate,
    LibraryUserRole,
    Loan,
    LoanCreate,
    LoanUpdate,
    Review,
    ReviewCreate,
    ReviewUpdate,
    User,
    UserCreate,
)

# Checked when the email is unknown, so that a login takes as long either way.
DUMMY_HASH = get_password_hash("not-a-real-password")


def create_user(*, session: Session, user_create: UserCreate) -> User:
    db_obj = User.model_validate(
        user_create, update={"hashed_password": get_password_hash(user_create.password)}
    )
    session.add(db_obj)
    session.commit()
    session.refresh(db_obj)
    return db_obj


def get_user_by_email(*, session: Session, email: str) -> User | None:
    statement = select(User).where(User.email == email)
    return session.exec(statement).first()


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    db_user = get_user_by_email(session=session, email=email)
    if not db_user:
        verify_password(password, DUMMY_HASH)
        return None
    if not verify_password(password, db_user.hashed_password):
        return None
    return db_user


def create_item(*, session: Session, item_in: ItemCreate, owner_id: uuid.UUID) -> Item:
    db_item = Item.model_validate(item_in, update={"owner_id": owner_id})
    session.add(db_item)
    session.commit()
    session.refresh(db_item)
    return db_item


def _has_role(session: Session, user: User, roles: tuple[str, ...]) -> bool:
    """Whether `user` holds one of `roles` (LibraryUserRole rows, which the team grants)."""
    held = session.scalar(
        select(col(LibraryUserRole.role))
        .where(
            col(LibraryUserRole.user_id) == user.id,
            col(LibraryUserRole.role).in_(roles),
        )
        .limit(1)
    )
    return held is not None


def visible_authors(_user: User | None) -> ColumnElement[bool]:
    """The authors `user` may see: every query of them starts
    here."""
    return true()


def _may_change_author(
    session: Session, user: User, author: Author, action: str
) -> None:
    allowed = _has_role(session, user, ("librarian",))
    if not allowed:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Author {author.id}"
        )


def list_authors(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Author], int]:
    conditions = [visible_authors(user)]
    if q:
        pattern = f"%{q}%"
        conditions.append(col(Author.name).ilike(pattern))
    total = session.scalar(select(func.count()).select_from(Author).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "name": col(Author.name).asc(),
    }
    first = orders[sort] if sort else col(Author.name).asc()
    order: list[ColumnElement[Any]] = [first, col(Author.id).asc()]
    rows = session.scalars(
        select(Author).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_author(session: Session, user: User | None, author_id: int) -> Author:
    """The author, if the caller may see it; else a 404, as if it did not exist."""
    author = session.scalar(
        select(Author).where(col(Author.id) == author_id, visible_authors(user))
    )
    if author is None:
        raise HTTPException(status_code=404, detail=f"Author {author_id} not found")
    return author


def create_author(session: Session, user: User, data: AuthorCreate) -> Author:
    if not _has_role(session, user, ("librarian",)):
        raise HTTPException(status_code=403, detail="You may not create authors")
    values = data.model_dump()
    author = Author(**values)
    session.add(author)
    session.commit()
    session.refresh(author)
    return author


def update_author(
    session: Session, user: User, author_id: int, data: AuthorUpdate
) -> Author:
    author = get_author(session, user, author_id)
    _may_change_author(session, user, author, "update")
    changes = data.model_dump(exclude_unset=True)
    for name, value in changes.items():
        setattr(author, name, value)
    session.commit()
    session.refresh(author)
    return author


def delete_author(session: Session, user: User, author_id: int) -> None:
    author = get_author(session, user, author_id)
    _may_change_author(session, user, author, "delete")
    session.execute(
        update(Book).where(col(Book.author_id) == author.id).values(author_id=None)
    )
    session.delete(author)
    session.commit()


def visible_books(_user: User | None) -> ColumnElement[bool]:
    """The books `user` may see: every query of them starts
    here."""
    return true()


def _may_change_book(session: Session, user: User, book: Book, action: str) -> None:
    allowed = _has_role(session, user, ("librarian",))
    if not allowed:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Book {book.id}"
        )


def _check_unique_book(
    session: Session, values: dict[str, Any], current: Book | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("isbn",),
        ("catalog_id",),
    ]
    # What a new row holds where no client sends a value: its default.
    made = {"times_lent": 0}
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        held = (
            {name: getattr(current, name) for name in members}
            if current is not None
            else made
        )
        wanted = {name: values.get(name, held.get(name)) for name in members}
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(Book.id)).where(
            *(col(getattr(Book, name)) == value for name, value in wanted.items())
        )
        if current is not None:
            statement = statement.where(col(Book.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A Book with {shown} already exists"
            )


def _check_references_book(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("author_id") is not None:
        found = session.scalar(
            select(col(Author.id)).where(
                col(Author.id) == values["author_id"],
                visible_authors(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "author_id"),
                        "msg": "no Author with id " + str(values["author_id"]),
                    }
                ]
            )


def list_books(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    format: Any = None,
    format__in: Any = None,
    author_id: Any = None,
    word_count: Any = None,
    word_count__gte: Any = None,
    word_count__lte: Any = None,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Book], int]:
    conditions = [visible_books(user)]
    if format is not None:
        conditions.append(col(Book.format) == format)
    if format__in is not None:
        conditions.append(col(Book.format).in_(format__in.split(",")))
    if author_id is not None:
        conditions.append(col(Book.author_id) == author_id)
    if word_count is not None:
        conditions.append(col(Book.word_count) == word_count)
    if word_count__gte is not None:
        conditions.append(col(Book.word_count) >= word_count__gte)
    if word_count__lte is not None:
        conditions.append(col(Book.word_count) <= word_count__lte)
    if q:
        pattern = f"%{q}%"
        conditions.append(
            or_(col(Book.title).ilike(pattern), col(Book.isbn).ilike(pattern))
        )
    total = session.scalar(select(func.count()).select_from(Book).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "title": col(Book.title).asc(),
        "-word_count": col(Book.word_count).desc(),
        "created_at": col(Book.id).asc(),
    }
    first = orders[sort] if sort else col(Book.title).asc()
    order: list[ColumnElement[Any]] = [first, col(Book.id).asc()]
    rows = session.scalars(
        select(Book).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_book(session: Session, user: User | None, book_id: int) -> Book:
    """The book, if the caller may see it; else a 404, as if it did not exist."""
    book = session.scalar(
        select(Book).where(col(Book.id) == book_id, visible_books(user))
    )
    if book is None:
        raise HTTPException(status_code=404, detail=f"Book {book_id} not found")
    return book


def create_book(session: Session, user: User, data: BookCreate) -> Book:
    if not _has_role(session, user, ("librarian",)):
        raise HTTPException(status_code=403, detail="You may not create books")
    values = data.model_dump()
    _check_references_book(session, user, values)
    _check_unique_book(session, values, None)
    book = Book(**values)
    session.add(book)
    session.commit()
    session.refresh(book)
    return book


def update_book(session: Session, user: User, book_id: int, data: BookUpdate) -> Book:
    book = get_book(session, user, book_id)
    _may_change_book(session, user, book, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_book(session, user, changes)
    _check_unique_book(session, changes, book)
    for name, value in changes.items():
        setattr(book, name, value)
    session.commit()
    session.refresh(book)
    return book


def delete_book(session: Session, user: User, book_id: int) -> None:
    book = get_book(session, user, book_id)
    _may_change_book(session, user, book, "delete")
    if (
        session.scalar(
            select(col(Loan.id)).where(col(Loan.book_id) == book.id).limit(1)
        )
        is not None
    ):
        raise HTTPException(status_code=409, detail=f"Book {book.id} still has loans")
    session.execute(delete(Review).where(col(Review.book_id) == book.id))
    session.delete(book)
    session.commit()


def visible_loans(user: User | None) -> ColumnElement[bool]:
    """The loans `user` may see: every query of them starts
    here."""
    if user is None:
        return false()
    # In the query itself: the roles are looked up with the rows, not beforehand.
    has_role = (
        select(col(LibraryUserRole.user_id))
        .where(
            col(LibraryUserRole.user_id) == user.id,
            col(LibraryUserRole.role).in_(("librarian",)),
        )
        .exists()
    )
    return or_(has_role, col(Loan.owner_id) == user.id)


def _may_change_loan(session: Session, user: User, loan: Loan, action: str) -> None:
    allowed = _has_role(session, user, ("librarian",))
    if not allowed:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Loan {loan.id}"
        )


def _check_references_loan(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("book_id") is not None:
        found = session.scalar(
            select(col(Book.id)).where(
                col(Book.id) == values["book_id"],
                visible_books(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "book_id"),
                        "msg": "no Book with id " + str(values["book_id"]),
                    }
                ]
            )


def list_loans(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    book_id: Any = None,
    due_on: Any = None,
    due_on__gte: Any = None,
    due_on__lte: Any = None,
    returned_at: Any = None,
    returned_at__gte: Any = None,
    returned_at__lte: Any = None,
    sort: str | None = None,
) -> tuple[list[Loan], int]:
    conditions = [visible_loans(user)]
    if book_id is not None:
        conditions.append(col(Loan.book_id) == book_id)
    if due_on is not None:
        conditions.append(col(Loan.due_on) == due_on)
    if due_on__gte is not None:
        conditions.append(col(Loan.due_on) >= due_on__gte)
    if due_on__lte is not None:
        conditions.append(col(Loan.due_on) <= due_on__lte)
    if returned_at is not None:
        conditions.append(col(Loan.returned_at) == returned_at)
    if returned_at__gte is not None:
        conditions.append(col(Loan.returned_at) >= returned_at__gte)
    if returned_at__lte is not None:
        conditions.append(col(Loan.returned_at) <= returned_at__lte)
    total = session.scalar(select(func.count()).select_from(Loan).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "due_on": col(Loan.due_on).asc(),
        "-created_at": col(Loan.id).desc(),
    }
    first = orders[sort] if sort else col(Loan.due_on).asc()
    order: list[ColumnElement[Any]] = [first, col(Loan.id).asc()]
    rows = session.scalars(
        select(Loan).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_loan(session: Session, user: User | None, loan_id: int) -> Loan:
    """The loan, if the caller may see it; else a 404, as if it did not exist."""
    loan = session.scalar(
        select(Loan).where(col(Loan.id) == loan_id, visible_loans(user))
    )
    if loan is None:
        raise HTTPException(status_code=404, detail=f"Loan {loan_id} not found")
    return loan


def create_loan(session: Session, user: User, data: LoanCreate) -> Loan:
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_references_loan(session, user, values)
    loan = Loan(**values)
    session.add(loan)
    session.commit()
    session.refresh(loan)
    return loan


def update_loan(session: Session, user: User, loan_id: int, data: LoanUpdate) -> Loan:
    loan = get_loan(session, user, loan_id)
    _may_change_loan(session, user, loan, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_loan(session, user, changes)
    for name, value in changes.items():
        setattr(loan, name, value)
    session.commit()
    session.refresh(loan)
    return loan


def delete_loan(session: Session, user: User, loan_id: int) -> None:
    loan = get_loan(session, user, loan_id)
    _may_change_loan(session, user, loan, "delete")
    session.delete(loan)
    session.commit()


def visible_reviews(_user: User | None) -> ColumnElement[bool]:
    """The reviews `user` may see: every query of them starts
    here."""
    return true()


def _may_change_review(user: User, review: Review, action: str) -> None:
    rules = {
        "update": user.is_superuser or review.owner_id == user.id,
        "delete": user.is_superuser or review.owner_id == user.id,
    }
    if not rules[action]:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Review {review.id}"
        )


def _check_unique_review(
    session: Session, values: dict[str, Any], current: Review | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("book_id", "owner_id"),
    ]
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        wanted = {
            name: values.get(name, getattr(current, name, None)) for name in members
        }
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(Review.id)).where(
            *(col(getattr(Review, name)) == value for name, value in wanted.items())
        )
        if current is not None:
            statement = statement.where(col(Review.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A Review with {shown} already exists"
            )


def _check_references_review(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("book_id") is not None:
        found = session.scalar(
            select(col(Book.id)).where(
                col(Book.id) == values["book_id"],
                visible_books(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "book_id"),
                        "msg": "no Book with id " + str(values["book_id"]),
                    }
                ]
            )


def list_reviews(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    book_id: Any = None,
    stars: Any = None,
    stars__gte: Any = None,
    stars__lte: Any = None,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Review], int]:
    conditions = [visible_reviews(user)]
    if book_id is not None:
        conditions.append(col(Review.book_id) == book_id)
    if stars is not None:
        conditions.append(col(Review.stars) == stars)
    if stars__gte is not None:
        conditions.append(col(Review.stars) >= stars__gte)
    if stars__lte is not None:
        conditions.append(col(Review.stars) <= stars__lte)
    if q:
        pattern = f"%{q}%"
        conditions.append(col(Review.body).ilike(pattern))
    total = session.scalar(select(func.count()).select_from(Review).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "-created_at": col(Review.id).desc(),
        "stars": col(Review.stars).asc(),
    }
    first = orders[sort] if sort else col(Review.id).desc()
    order: list[ColumnElement[Any]] = [first, col(Review.id).asc()]
    rows = session.scalars(
        select(Review).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_review(session: Session, user: User | None, review_id: int) -> Review:
    """The review, if the caller may see it; else a 404, as if it did not exist."""
    review = session.scalar(
        select(Review).where(col(Review.id) == review_id, visible_reviews(user))
    )
    if review is None:
        raise HTTPException(status_code=404, detail=f"Review {review_id} not found")
    return review


def create_review(session: Session, user: User, data: ReviewCreate) -> Review:
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_references_review(session, user, values)
    _check_unique_review(session, values, None)
    review = Review(**values)
    session.add(review)
    session.commit()
    session.refresh(review)
    return review


def update_review(
    session: Session, user: User, review_id: int, data: ReviewUpdate
) -> Review:
    review = get_review(session, user, review_id)
    _may_change_review(user, review, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_review(session, user, changes)
    _check_unique_review(session, changes, review)
    for name, value in changes.items():
        setattr(review, name, value)
    session.commit()
    session.refresh(review)
    return review


def delete_review(session: Session, user: User, review_id: int) -> None:
    review = get_review(session, user, review_id)
    _may_change_review(user, review, "delete")
    session.delete(review)
    session.commit()
