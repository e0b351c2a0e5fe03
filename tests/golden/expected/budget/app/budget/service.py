"""Business rules of the Household budget feature.

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
from app.budget import rules
from app.budget.models import (
    Category,
    Expense,
)
from app.budget.schemas import (
    CategoryCreate,
    CategoryListQuery,
    CategoryUpdate,
    ExpenseCreate,
    ExpenseListQuery,
    ExpenseUpdate,
)
from app.core.access import EntityAccess, Rule, Scope, authorize, authorize_row
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import SortOrder, paginate
from app.core.search import contains


async def _flush(session: AsyncSession) -> None:
    """Flush; a constraint the checks could not foresee (a concurrent write) is a 409."""
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The change conflicts with existing data; reload and retry.") from None


# --- Category -----------------------------------------------------------------

CATEGORY_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"admin"})),
    read=Rule(owner=True, roles=frozenset({"admin"})),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)

_CATEGORY_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "name": (Category.name, False),
    "id": (Category.id, False),
}


def _categories_visible_to(user: User | None, rule: Rule, action: str) -> Select[Category]:
    """The categories `user` may see for `action` (401/403 if none)."""
    statement = select(Category)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Category.owner_id == user.id)
    return statement


async def list_categories(
    session: AsyncSession, user: User | None, query: CategoryListQuery
) -> tuple[Sequence[Category], str | None]:
    """One page of the categories the caller may read, and the next page's cursor."""
    statement = _categories_visible_to(user, CATEGORY_ACCESS.list, "list")
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Category.name, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _CATEGORY_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Category.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_category(session: AsyncSession, user: User | None, category_id: int) -> Category:
    """The category, if the caller may read it; 404 otherwise."""
    statement = _categories_visible_to(user, CATEGORY_ACCESS.read, "read")
    category = await session.scalar(statement.where(Category.id == category_id))
    if category is None:
        raise NotFound("Category", category_id)
    return category


async def _check_category_unique(
    session: AsyncSession, values: dict[str, Any], exclude_id: int | None
) -> None:
    """409 if another category already has these unique values."""
    others = select(Category.id).where(Category.id != exclude_id)
    if all(values.get(name) is not None for name in ("owner_id", "name")) and await session.scalar(
        select(
            exists(
                others.where(
                    Category.owner_id == values["owner_id"],
                    Category.name == values["name"],
                )
            )
        )
    ):
        raise Conflict("A category with the same owner, name already exists.")


async def create_category(
    session: AsyncSession, user: User | None, data: CategoryCreate
) -> Category:
    authorize(CATEGORY_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_category(session, user, values)
    await _check_category_unique(session, values, exclude_id=None)
    category = Category(**values)
    session.add(category)
    await _flush(session)
    return category


async def update_category(
    session: AsyncSession, user: User | None, category: Category, data: CategoryUpdate
) -> Category:
    authorize_row(CATEGORY_ACCESS.update, user, "update", category.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_category(session, user, category, changes)
    current = {name: getattr(category, name) for name in ("owner_id", "name")}
    await _check_category_unique(session, {**current, **changes}, exclude_id=category.id)
    for name, value in changes.items():
        setattr(category, name, value)
    await _flush(session)
    return category


async def delete_category(session: AsyncSession, user: User | None, category: Category) -> None:
    authorize_row(CATEGORY_ACCESS.delete, user, "delete", category.owner_id)
    await rules.before_delete_category(session, user, category)
    if await session.scalar(select(exists().where(Expense.category_id == category.id))):
        raise Conflict(f"Category {category.id} still has expenses; delete them first.")
    await session.delete(category)
    await _flush(session)


# --- Expense ------------------------------------------------------------------

EXPENSE_ACCESS = EntityAccess(
    list=Rule(owner=True, roles=frozenset({"admin"})),
    read=Rule(owner=True, roles=frozenset({"admin"})),
    create=Rule(authenticated=True),
    update=Rule(owner=True, roles=frozenset({"admin"})),
    delete=Rule(owner=True, roles=frozenset({"admin"})),
)

_EXPENSE_SORTS: dict[str, tuple[InstrumentedAttribute[Any], bool]] = {
    "spent_on": (Expense.spent_on, False),
    "amount": (Expense.amount, False),
    "id": (Expense.id, False),
}


def _expenses_visible_to(user: User | None, rule: Rule, action: str) -> Select[Expense]:
    """The expenses `user` may see for `action` (401/403 if none)."""
    statement = select(Expense)
    if authorize(rule, user, action) is Scope.OWN:
        assert user is not None  # noqa: S101 - Scope.OWN is only given to a signed-in user
        statement = statement.where(Expense.owner_id == user.id)
    return statement


async def list_expenses(
    session: AsyncSession, user: User | None, query: ExpenseListQuery
) -> tuple[Sequence[Expense], str | None]:
    """One page of the expenses the caller may read, and the next page's cursor."""
    statement = _expenses_visible_to(user, EXPENSE_ACCESS.list, "list")
    if query.kind is not None:
        statement = statement.where(Expense.kind == query.kind)
    if query.kind__in is not None:
        statement = statement.where(Expense.kind.in_(query.kind__in.split(",")))
    if query.category_id is not None:
        statement = statement.where(Expense.category_id == query.category_id)
    if query.spent_on is not None:
        statement = statement.where(Expense.spent_on == query.spent_on)
    if query.spent_on__gte is not None:
        statement = statement.where(Expense.spent_on >= query.spent_on__gte)
    if query.spent_on__lte is not None:
        statement = statement.where(Expense.spent_on <= query.spent_on__lte)
    if query.q is not None:
        statement = statement.where(
            or_(
                contains(Expense.note, query.q),
            )
        )
    key = query.sort.removeprefix("-")
    column, nullable = _EXPENSE_SORTS[key]
    order = SortOrder(
        key=key,
        column=column,
        id_column=Expense.id,
        descending=query.sort.startswith("-"),
        nullable=nullable,
    )
    return await paginate(session, statement, order, limit=query.limit, cursor=query.cursor)


async def get_expense(session: AsyncSession, user: User | None, expense_id: int) -> Expense:
    """The expense, if the caller may read it; 404 otherwise."""
    statement = _expenses_visible_to(user, EXPENSE_ACCESS.read, "read")
    expense = await session.scalar(statement.where(Expense.id == expense_id))
    if expense is None:
        raise NotFound("Expense", expense_id)
    return expense


async def _check_expense_references(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Each referenced row must exist and be readable by the caller (else 422)."""
    if (value := values.get("category_id")) is not None:
        category_rows = _categories_visible_to(user, CATEGORY_ACCESS.read, "read")
        if await session.scalar(category_rows.where(Category.id == value)) is None:
            raise InvalidInput(
                ["body", "category_id"], f"Category {value} does not exist.", "foreign_key"
            )


async def create_expense(session: AsyncSession, user: User | None, data: ExpenseCreate) -> Expense:
    authorize(EXPENSE_ACCESS.create, user, "create")
    values = data.model_dump()
    assert user is not None  # noqa: S101 - the spec never lets anonymous callers create owned rows
    values["owner_id"] = user.id
    await rules.before_create_expense(session, user, values)
    await _check_expense_references(session, user, values)
    expense = Expense(**values)
    session.add(expense)
    await _flush(session)
    return expense


async def update_expense(
    session: AsyncSession, user: User | None, expense: Expense, data: ExpenseUpdate
) -> Expense:
    authorize_row(EXPENSE_ACCESS.update, user, "update", expense.owner_id)
    changes = data.model_dump(exclude_unset=True)
    await rules.before_update_expense(session, user, expense, changes)
    await _check_expense_references(session, user, changes)
    for name, value in changes.items():
        setattr(expense, name, value)
    await _flush(session)
    return expense


async def delete_expense(session: AsyncSession, user: User | None, expense: Expense) -> None:
    authorize_row(EXPENSE_ACCESS.delete, user, "delete", expense.owner_id)
    await rules.before_delete_expense(session, user, expense)
    await session.delete(expense)
    await _flush(session)
