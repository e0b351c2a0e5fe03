"""Request and response bodies of the auth endpoints."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field

from app.core.schemas import NO_NUL, InputSchema, ReadSchema

Password = Annotated[str, Field(min_length=8, max_length=128, pattern=NO_NUL)]


class UserRegister(InputSchema):
    email: EmailStr
    password: Password


class UserRead(ReadSchema):
    id: int
    email: str
    roles: list[str]
    tenant: str | None = Field(description="The tenant the account belongs to, if any.")
    created_at: datetime


class Token(ReadSchema):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # the OAuth2 token type, not a secret
