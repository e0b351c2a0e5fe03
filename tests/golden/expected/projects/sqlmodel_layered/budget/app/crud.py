import uuid
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from sqlalchemy import ColumnElement, false, func, true
from sqlmodel import Session, col, select

from app.core.security import get_password_hash, verify_password
from app.models import (
    Category,
    CategoryCreate,
    CategoryUpdate,
    Expense,
    ExpenseCreate,
    ExpenseUpdate,
    Item,
    ItemCreate,
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


def visible_categories(user: User | None) -> ColumnElement[bool]:
    """The categories `user` may see: every query of them starts
    here."""
    if user is None:
        return false()
    if user.is_superuser:
        return true()
    return col(Category.owner_id) == user.id


def _may_change_category(user: User, category: Category, action: str) -> None:
    rules = {
        "update": user.is_superuser or category.owner_id == user.id,
        "delete": user.is_superuser or category.owner_id == user.id,
    }
    if not rules[action]:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Category {category.id}"
        )


def _check_unique_category(
    session: Session, values: dict[str, Any], current: Category | None
) -> None:
    constraints: list[tuple[str, ...]] = [
        ("owner_id", "name"),
    ]
    for members in constraints:
        if current is not None and not any(name in values for name in members):
            continue
        wanted = {
            name: values.get(name, getattr(current, name, None)) for name in members
        }
        if any(value is None for value in wanted.values()):
            continue  # as in the database: a null collides with nothing
        statement = select(col(Category.id)).where(
            *(col(getattr(Category, name)) == value for name, value in wanted.items())
        )
        if current is not None:
            statement = statement.where(col(Category.id) != current.id)
        if session.scalar(statement.limit(1)) is not None:
            shown = ", ".join(f"{name}={value}" for name, value in wanted.items())
            raise HTTPException(
                status_code=409, detail=f"A Category with {shown} already exists"
            )


def list_categories(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Category], int]:
    conditions = [visible_categories(user)]
    if q:
        pattern = f"%{q}%"
        conditions.append(col(Category.name).ilike(pattern))
    total = session.scalar(
        select(func.count()).select_from(Category).where(*conditions)
    )
    orders: dict[str, ColumnElement[Any]] = {
        "name": col(Category.name).asc(),
    }
    first = orders[sort] if sort else col(Category.name).asc()
    order: list[ColumnElement[Any]] = [first, col(Category.id).asc()]
    rows = session.scalars(
        select(Category).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_category(session: Session, user: User | None, category_id: int) -> Category:
    """The category, if the caller may see it; else a 404, as if it did not exist."""
    category = session.scalar(
        select(Category).where(
            col(Category.id) == category_id, visible_categories(user)
        )
    )
    if category is None:
        raise HTTPException(status_code=404, detail=f"Category {category_id} not found")
    return category


def create_category(session: Session, user: User, data: CategoryCreate) -> Category:
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_unique_category(session, values, None)
    category = Category(**values)
    session.add(category)
    session.commit()
    session.refresh(category)
    return category


def update_category(
    session: Session, user: User, category_id: int, data: CategoryUpdate
) -> Category:
    category = get_category(session, user, category_id)
    _may_change_category(user, category, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_unique_category(session, changes, category)
    for name, value in changes.items():
        setattr(category, name, value)
    session.commit()
    session.refresh(category)
    return category


def delete_category(session: Session, user: User, category_id: int) -> None:
    category = get_category(session, user, category_id)
    _may_change_category(user, category, "delete")
    if (
        session.scalar(
            select(col(Expense.id))
            .where(col(Expense.category_id) == category.id)
            .limit(1)
        )
        is not None
    ):
        raise HTTPException(
            status_code=409, detail=f"Category {category.id} still has expenses"
        )
    session.delete(category)
    session.commit()


def visible_expenses(user: User | None) -> ColumnElement[bool]:
    """The expenses `user` may see: every query of them starts
    here."""
    if user is None:
        return false()
    if user.is_superuser:
        return true()
    return col(Expense.owner_id) == user.id


def _may_change_expense(user: User, expense: Expense, action: str) -> None:
    rules = {
        "update": user.is_superuser or expense.owner_id == user.id,
        "delete": user.is_superuser or expense.owner_id == user.id,
    }
    if not rules[action]:
        raise HTTPException(
            status_code=403, detail=f"You may not {action} Expense {expense.id}"
        )


def _check_references_expense(
    session: Session, user: User | None, values: dict[str, Any]
) -> None:
    if values.get("category_id") is not None:
        found = session.scalar(
            select(col(Category.id)).where(
                col(Category.id) == values["category_id"],
                visible_categories(user),
            )
        )
        if found is None:
            # Shaped like FastAPI's own 422s, which the OpenAPI document describes.
            raise RequestValidationError(
                [
                    {
                        "type": "missing_reference",
                        "loc": ("body", "category_id"),
                        "msg": "no Category with id " + str(values["category_id"]),
                    }
                ]
            )


def list_expenses(
    session: Session,
    user: User | None,
    *,
    offset: int,
    limit: int,
    kind: Any = None,
    kind__in: Any = None,
    category_id: Any = None,
    spent_on: Any = None,
    spent_on__gte: Any = None,
    spent_on__lte: Any = None,
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[Expense], int]:
    conditions = [visible_expenses(user)]
    if kind is not None:
        conditions.append(col(Expense.kind) == kind)
    if kind__in is not None:
        conditions.append(col(Expense.kind).in_(kind__in.split(",")))
    if category_id is not None:
        conditions.append(col(Expense.category_id) == category_id)
    if spent_on is not None:
        conditions.append(col(Expense.spent_on) == spent_on)
    if spent_on__gte is not None:
        conditions.append(col(Expense.spent_on) >= spent_on__gte)
    if spent_on__lte is not None:
        conditions.append(col(Expense.spent_on) <= spent_on__lte)
    if q:
        pattern = f"%{q}%"
        conditions.append(col(Expense.note).ilike(pattern))
    total = session.scalar(select(func.count()).select_from(Expense).where(*conditions))
    orders: dict[str, ColumnElement[Any]] = {
        "-spent_on": col(Expense.spent_on).desc(),
        "amount": col(Expense.amount).asc(),
    }
    first = orders[sort] if sort else col(Expense.spent_on).desc()
    order: list[ColumnElement[Any]] = [first, col(Expense.id).asc()]
    rows = session.scalars(
        select(Expense).where(*conditions).order_by(*order).offset(offset).limit(limit)
    )
    return list(rows.all()), total or 0


def get_expense(session: Session, user: User | None, expense_id: int) -> Expense:
    """The expense, if the caller may see it; else a 404, as if it did not exist."""
    expense = session.scalar(
        select(Expense).where(col(Expense.id) == expense_id, visible_expenses(user))
    )
    if expense is None:
        raise HTTPException(status_code=404, detail=f"Expense {expense_id} not found")
    return expense


def create_expense(session: Session, user: User, data: ExpenseCreate) -> Expense:
    values = data.model_dump()
    values["owner_id"] = user.id
    _check_references_expense(session, user, values)
    expense = Expense(**values)
    session.add(expense)
    session.commit()
    session.refresh(expense)
    return expense


def update_expense(
    session: Session, user: User, expense_id: int, data: ExpenseUpdate
) -> Expense:
    expense = get_expense(session, user, expense_id)
    _may_change_expense(user, expense, "update")
    changes = data.model_dump(exclude_unset=True)
    _check_references_expense(session, user, changes)
    for name, value in changes.items():
        setattr(expense, name, value)
    session.commit()
    session.refresh(expense)
    return expense


def delete_expense(session: Session, user: User, expense_id: int) -> None:
    expense = get_expense(session, user, expense_id)
    _may_change_expense(user, expense, "delete")
    session.delete(expense)
    session.commit()
