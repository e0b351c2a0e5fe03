from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import UnauthorizedError
from app.core.security import decode_access_token
from app.db.session import get_db
from app.models import User
from app.services.budget_service import CategoryService, ExpenseService
from app.services.project_service import ProjectService

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)

SessionDep = Annotated[AsyncSession, Depends(get_db)]


async def get_current_user(session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    user_id = decode_access_token(token) if token else None
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise UnauthorizedError("Could not validate credentials")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_project_service(session: SessionDep, user: CurrentUser) -> ProjectService:
    return ProjectService(session, user)


ProjectServiceDep = Annotated[ProjectService, Depends(get_project_service)]


def get_category_service(session: SessionDep, user: CurrentUser) -> CategoryService:
    return CategoryService(session, user)


CategoryServiceDep = Annotated[CategoryService, Depends(get_category_service)]


def get_expense_service(session: SessionDep, user: CurrentUser) -> ExpenseService:
    return ExpenseService(session, user)


ExpenseServiceDep = Annotated[ExpenseService, Depends(get_expense_service)]
