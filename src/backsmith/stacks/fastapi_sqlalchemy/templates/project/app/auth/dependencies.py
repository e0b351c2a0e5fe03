"""Who is calling: the user behind the bearer token, if any."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.db import get_session
from app.core.errors import NotAuthenticated
from app.core.security import decode_access_token

SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

# auto_error=False: a missing token is our decision (401 problem, or anonymous access).
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


async def get_optional_user(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User | None:
    """The caller, or None without a token. A token that is invalid is always a 401."""
    if token is None:
        return None
    user_id = decode_access_token(token, request.app.state.settings)
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        raise NotAuthenticated("The access token is invalid or expired.")
    return user


async def get_current_user(user: Annotated[User | None, Depends(get_optional_user)]) -> User:
    if user is None:
        raise NotAuthenticated("Authentication required.")
    return user


OptionalUser = Annotated[User | None, Depends(get_optional_user)]
CurrentUser = Annotated[User, Depends(get_current_user)]
