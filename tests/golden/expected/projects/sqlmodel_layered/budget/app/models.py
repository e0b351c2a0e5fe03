import enum
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from pydantic import EmailStr, field_validator
from sqlalchemy import Column, Enum, Index, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# Shared properties
class UserBase(SQLModel):
    email: EmailStr = Field(unique=True, index=True, max_length=255)
    is_active: bool = True
    is_superuser: bool = False
    full_name: str | None = Field(default=None, max_length=255)


# Properties to receive via API on creation (by a superuser)
class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=128)


# Properties to receive on public sign-up
class UserRegister(SQLModel):
    email: EmailStr = Field(max_length=255)
    password: str = Field(min_length=8, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)


# Database model, database table inferred from class name
class User(UserBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    hashed_password: str
    created_at: datetime = Field(default_factory=utcnow)
    items: list["Item"] = Relationship(back_populates="owner", cascade_delete=True)


# Properties to return via API, id is always required
class UserPublic(UserBase):
    id: uuid.UUID


class UsersPublic(SQLModel):
    data: list[UserPublic]
    count: int


class ItemBase(SQLModel):
    title: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class ItemCreate(ItemBase):
    pass


class ItemUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=255)


class Item(ItemBase, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    owner_id: uuid.UUID = Field(
        foreign_key="user.id", nullable=False, ondelete="CASCADE"
    )
    owner: User | None = Relationship(back_populates="items")


class ItemPublic(ItemBase):
    id: uuid.UUID
    owner_id: uuid.UUID
    created_at: datetime


class ItemsPublic(SQLModel):
    data: list[ItemPublic]
    count: int


# Generic message
class Message(SQLModel):
    message: str


# JSON payload containing access token
class Token(SQLModel):
    access_token: str
    token_type: str = "bearer"


# Contents of JWT token
class TokenPayload(SQLModel):
    sub: str | None = None


def iso_8601(value: object) -> object:
    """Dates and times only as ISO 8601 text: pydantic would also read a number (`0`,
    `"0.5"`) as seconds since 1970."""
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        raise ValueError(
            "expected ISO 8601 text, such as 2030-01-31 or 2030-01-31T09:00:00Z"
        )
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def json_number(value: object) -> object:
    """A number only as a JSON number: pydantic would also read `true` (Python's bool is
    an int, so `"parent_id": true` would name row 1) and numeric text."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a JSON number")
    return value


class CategoryBase(SQLModel):
    name: str = Field(
        min_length=1, max_length=60, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    color: str | None = Field(default=None, schema_extra={"pattern": "^#[0-9a-f]{6}$"})
    monthly_limit: Decimal | None = Field(
        default=None, max_digits=10, decimal_places=2, ge=0.0
    )


class CategoryCreate(CategoryBase):
    pass


class CategoryUpdate(SQLModel):
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        schema_extra={"pattern": "^[^\\x00]*$"},
    )
    color: str | None = Field(default=None, schema_extra={"pattern": "^#[0-9a-f]{6}$"})
    monthly_limit: Decimal | None = Field(
        default=None, max_digits=10, decimal_places=2, ge=0.0
    )

    @field_validator("name")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


class Category(CategoryBase, table=True):
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        Index("ix_category_name_id", "name", "id"),
        Index("ix_category_owner_id_name_id", "owner_id", "name", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class CategoryPublic(CategoryBase):
    id: int
    owner_id: uuid.UUID


class CategoriesPublic(SQLModel):
    data: list[CategoryPublic]
    count: int


class ExpenseKind(enum.StrEnum):
    NEED = "need"
    WANT = "want"
    SAVING = "saving"


class ExpenseBase(SQLModel):
    amount: Decimal = Field(max_digits=10, decimal_places=2, ge=0.01)
    spent_on: date = Field()
    note: str | None = Field(
        default=None, max_length=200, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    kind: ExpenseKind = Field(
        default=ExpenseKind.NEED,
        sa_column=Column(
            Enum(
                ExpenseKind,
                native_enum=False,
                length=6,
                values_callable=lambda kinds: [kind.value for kind in kinds],
            ),
            index=True,
            nullable=False,
        ),
    )
    category_id: int = Field(
        ge=1, le=2147483647, foreign_key="category.id", ondelete="RESTRICT", index=True
    )

    @field_validator("spent_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("category_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class ExpenseCreate(ExpenseBase):
    pass


class ExpenseUpdate(SQLModel):
    amount: Decimal | None = Field(
        default=None, max_digits=10, decimal_places=2, ge=0.01
    )
    spent_on: date | None = Field(
        default=None,
    )
    note: str | None = Field(
        default=None, max_length=200, schema_extra={"pattern": "^[^\\x00]*$"}
    )
    kind: ExpenseKind | None = Field(
        default=None,
    )
    category_id: int | None = Field(default=None, ge=1, le=2147483647)

    @field_validator("amount", "spent_on", "kind", "category_id")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value

    @field_validator("spent_on", mode="before")
    @classmethod
    def _iso_8601(cls, value: object) -> object:
        return iso_8601(value)

    @field_validator("category_id", mode="before")
    @classmethod
    def _json_number(cls, value: object) -> object:
        return json_number(value)


class Expense(ExpenseBase, table=True):
    __table_args__ = (
        Index("ix_expense_spent_on_id", "spent_on", "id"),
        Index("ix_expense_owner_id_spent_on_id", "owner_id", "spent_on", "id"),
        Index("ix_expense_amount_id", "amount", "id"),
        Index("ix_expense_owner_id_amount_id", "owner_id", "amount", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)


class ExpensePublic(ExpenseBase):
    id: int
    owner_id: uuid.UUID


class ExpensesPublic(SQLModel):
    data: list[ExpensePublic]
    count: int
