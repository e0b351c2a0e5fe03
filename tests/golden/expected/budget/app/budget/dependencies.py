"""Validating dependencies: load a row the caller may read, or answer 404."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.dependencies import OptionalUser, SessionDep
from app.budget import service
from app.budget.models import (
    Category,
    Expense,
)
from app.core.schemas import MAX_ID


async def valid_category(
    category_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Category:
    return await service.get_category(session, user, category_id)


ValidCategory = Annotated[Category, Depends(valid_category)]


async def valid_expense(
    expense_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, user: OptionalUser
) -> Expense:
    return await service.get_expense(session, user, expense_id)


ValidExpense = Annotated[Expense, Depends(valid_expense)]
