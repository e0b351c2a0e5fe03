"""HTTP endpoints of the Household budget feature."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.dependencies import OptionalUser, SessionDep
from app.budget import service
from app.budget.dependencies import (
    ValidCategory,
    ValidExpense,
)
from app.budget.models import (
    Category,
    Expense,
)
from app.budget.schemas import (
    CategoryCreate,
    CategoryListQuery,
    CategoryPage,
    CategoryRead,
    CategoryUpdate,
    ExpenseCreate,
    ExpenseListQuery,
    ExpensePage,
    ExpenseRead,
    ExpenseUpdate,
)
from app.core.errors import problem_responses

router = APIRouter()


@router.get(
    "/categories",
    tags=["categories"],
    response_model=CategoryPage,
    responses=problem_responses(401, 403, 422),
)
async def list_categories(
    query: Annotated[CategoryListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the categories you may read, one page at a time."""
    rows, next_cursor = await service.list_categories(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/categories",
    tags=["categories"],
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryRead,
    responses=problem_responses(201, 400, 401, 409, 422),
)
async def create_category(
    data: CategoryCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Category:
    """Create a category; its URL is in the Location header."""
    category = await service.create_category(session, user, data)
    response.headers["Location"] = str(request.url_for("get_category", category_id=category.id))
    return category


@router.get(
    "/categories/{category_id}",
    tags=["categories"],
    response_model=CategoryRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_category(category: ValidCategory) -> Category:
    """Read one category."""
    return category


@router.patch(
    "/categories/{category_id}",
    tags=["categories"],
    response_model=CategoryRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_category(
    category: ValidCategory, data: CategoryUpdate, session: SessionDep, user: OptionalUser
) -> Category:
    """Change the fields you send; the others keep their values."""
    return await service.update_category(session, user, category, data)


@router.delete(
    "/categories/{category_id}",
    tags=["categories"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_category(category: ValidCategory, session: SessionDep, user: OptionalUser) -> None:
    """Delete a category."""
    await service.delete_category(session, user, category)


@router.get(
    "/expenses",
    tags=["expenses"],
    response_model=ExpensePage,
    responses=problem_responses(401, 403, 422),
)
async def list_expenses(
    query: Annotated[ExpenseListQuery, Query()], session: SessionDep, user: OptionalUser
) -> dict[str, Any]:
    """List the expenses you may read, one page at a time."""
    rows, next_cursor = await service.list_expenses(session, user, query)
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/expenses",
    tags=["expenses"],
    status_code=status.HTTP_201_CREATED,
    response_model=ExpenseRead,
    responses=problem_responses(201, 400, 401, 409, 422),
)
async def create_expense(
    data: ExpenseCreate,
    session: SessionDep,
    user: OptionalUser,
    request: Request,
    response: Response,
) -> Expense:
    """Create a expense; its URL is in the Location header."""
    expense = await service.create_expense(session, user, data)
    response.headers["Location"] = str(request.url_for("get_expense", expense_id=expense.id))
    return expense


@router.get(
    "/expenses/{expense_id}",
    tags=["expenses"],
    response_model=ExpenseRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_expense(expense: ValidExpense) -> Expense:
    """Read one expense."""
    return expense


@router.patch(
    "/expenses/{expense_id}",
    tags=["expenses"],
    response_model=ExpenseRead,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def update_expense(
    expense: ValidExpense, data: ExpenseUpdate, session: SessionDep, user: OptionalUser
) -> Expense:
    """Change the fields you send; the others keep their values."""
    return await service.update_expense(session, user, expense, data)


@router.delete(
    "/expenses/{expense_id}",
    tags=["expenses"],
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def delete_expense(expense: ValidExpense, session: SessionDep, user: OptionalUser) -> None:
    """Delete a expense."""
    await service.delete_expense(session, user, expense)
