"""POST /auth/register, POST /auth/token, GET /auth/me."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.dependencies import CurrentUser, SessionDep
from app.auth.schemas import Token, UserRead, UserRegister
from app.core.errors import NotAuthenticated, problem_responses
from app.core.security import create_access_token

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 409, 422),
)
async def register(data: UserRegister, session: SessionDep) -> UserRead:
    user = await service.create_user(session, data.email, data.password)
    return UserRead.model_validate(user)


@router.post("/token", responses=problem_responses(400, 401, 422))
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, request: Request
) -> Token:
    user = await service.authenticate(session, form.username, form.password)
    if user is None:
        raise NotAuthenticated("Incorrect email or password.")
    return Token(access_token=create_access_token(user.id, request.app.state.settings))


@router.get("/me", responses=problem_responses(401))
async def me(user: CurrentUser) -> UserRead:
    return UserRead.model_validate(user)
