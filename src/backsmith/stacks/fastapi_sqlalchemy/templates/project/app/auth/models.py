"""The user account."""

from sqlalchemy import JSON, Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    hashed_password: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The tenant (organization) the account belongs to: it sees and makes only that
    # tenant's rows of entities with `tenant: true`. Set by whoever creates the account
    # (`python -m app.cli create-user ... --tenant NAME`); None: the account belongs to none.
    tenant: Mapped[str | None] = mapped_column(String(64), index=True)
