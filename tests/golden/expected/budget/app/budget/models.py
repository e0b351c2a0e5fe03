"""Database models of the Household budget feature."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, IdMixin, TimestampMixin


class Category(IdMixin, TimestampMixin, Base):
    __tablename__ = "categories"
    __table_args__ = (
        UniqueConstraint(
            "owner_id",
            "name",
        ),
        Index(
            "ix_categories_name_id",
            "name",
            "id",
        ),
        Index(
            "ix_categories_owner_id_name_id",
            "owner_id",
            "name",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    color: Mapped[str | None] = mapped_column(String())
    monthly_limit: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))


class ExpenseKind(StrEnum):
    NEED = "need"
    WANT = "want"
    SAVING = "saving"


class Expense(IdMixin, TimestampMixin, Base):
    __tablename__ = "expenses"
    __table_args__ = (
        Index(
            "ix_expenses_spent_on_id",
            "spent_on",
            "id",
        ),
        Index(
            "ix_expenses_owner_id_spent_on_id",
            "owner_id",
            "spent_on",
            "id",
        ),
        Index(
            "ix_expenses_amount_id",
            "amount",
            "id",
        ),
        Index(
            "ix_expenses_owner_id_amount_id",
            "owner_id",
            "amount",
            "id",
        ),
    )

    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    spent_on: Mapped[date] = mapped_column(Date())
    note: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(6), index=True, default="need")
    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="RESTRICT"), index=True
    )
