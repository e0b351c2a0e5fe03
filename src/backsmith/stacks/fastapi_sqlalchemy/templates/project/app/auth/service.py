"""Accounts: registration, login and role assignment."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.errors import Conflict
from app.core.security import DUMMY_HASH, hash_password, verify_password


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    if "\x00" in email:  # no stored email has one, and PostgreSQL would refuse the query
        return None
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    roles: list[str] | None = None,
    tenant: str | None = None,
) -> User:
    """A new account; 409 if the email is taken. Self-registered accounts belong to no
    tenant: only an administrator may put an account in one."""
    if await get_user_by_email(session, email) is not None:
        raise Conflict("A user with this email already exists.")
    user = User(
        email=normalize_email(email),
        hashed_password=hash_password(password),
        roles=sorted(set(roles or [])),
        tenant=tenant,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The active user these credentials belong to, or None; as slow for a wrong email."""
    user = await get_user_by_email(session, email)
    if user is None:
        verify_password(password, DUMMY_HASH)
        return None
    valid, new_hash = verify_password(password, user.hashed_password)
    if not valid or not user.is_active:
        return None
    if new_hash is not None:
        user.hashed_password = new_hash
    return user
