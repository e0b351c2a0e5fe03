"""Business rules of the Household budget feature that the spec does not declare.

The service calls these hooks before it writes. Refuse a change by raising a domain
error from `app.core.errors` (InvalidInput for a 422 on a field, Conflict for a 409,
Forbidden for a 403); adjust `values` or `changes` in place to derive fields.
backsmith writes this module once and afterwards only adds the hooks of new entities:
the code in it is yours.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.budget.models import (
    Category,
    Expense,
)


async def before_create_category(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new category."""


async def before_update_category(
    session: AsyncSession, user: User | None, category: Category, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_category(
    session: AsyncSession, user: User | None, category: Category
) -> None:
    """Called before the category is deleted."""


async def before_create_expense(
    session: AsyncSession, user: User | None, values: dict[str, Any]
) -> None:
    """Called with the validated fields of a new expense."""


async def before_update_expense(
    session: AsyncSession, user: User | None, expense: Expense, changes: dict[str, Any]
) -> None:
    """Called with the fields a PATCH changes, before they are applied."""


async def before_delete_expense(session: AsyncSession, user: User | None, expense: Expense) -> None:
    """Called before the expense is deleted."""
