"""Password hashing (pwdlib, Argon2) and access tokens (PyJWT)."""

from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import Settings

password_hash = PasswordHash((Argon2Hasher(),))

# Verified against when the user does not exist, so that a login takes as long for an
# unknown email as for a wrong password (no user enumeration by timing).
DUMMY_HASH = password_hash.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    """Whether the password matches, and a new hash if the stored one is outdated."""
    return password_hash.verify_and_update(password, hashed)


def create_access_token(user_id: int, settings: Settings) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    key = settings.secret_key.get_secret_value()
    return jwt.encode(claims, key, algorithm=settings.jwt_algorithm)


def decode_access_token(token: str, settings: Settings) -> int | None:
    """The user id a valid, unexpired token names; None for anything else."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "sub"]},
        )
        return int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
