"""Request and response bodies of the Household budget feature."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from app.budget.models import (
    ExpenseKind,
)
from app.core.pagination import Page
from app.core.schemas import (
    NO_NUL,
    InputSchema,
    IsoDate,
    JsonInt,
    NulFreeStr,
    ReadSchema,
    omitted,
    scaled,
)


class CategoryCreate(InputSchema):
    name: Annotated[str, Field(min_length=1, max_length=60, pattern=NO_NUL)]
    color: Annotated[NulFreeStr, Field(pattern="^#[0-9a-f]{6}$")] | None = None
    monthly_limit: (
        Annotated[
            Decimal, Field(max_digits=10, decimal_places=2, ge=Decimal("0"), allow_inf_nan=False)
        ]
        | None
    ) = None


class CategoryUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    name: Annotated[str, Field(min_length=1, max_length=60, pattern=NO_NUL)] = Field(
        default_factory=omitted
    )
    color: Annotated[NulFreeStr, Field(pattern="^#[0-9a-f]{6}$")] | None = None
    monthly_limit: (
        Annotated[
            Decimal, Field(max_digits=10, decimal_places=2, ge=Decimal("0"), allow_inf_nan=False)
        ]
        | None
    ) = None


class CategoryRead(ReadSchema):
    id: int
    owner_id: int
    name: str
    color: str | None
    monthly_limit: Annotated[Decimal, scaled(2)] | None
    created_at: datetime
    updated_at: datetime


CategoryPage = Page[CategoryRead]


class CategoryListQuery(InputSchema):
    """Query parameters of GET /categories: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "name",
        "-name",
        "id",
        "-id",
    ] = "name"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of name",
    )


class ExpenseCreate(InputSchema):
    amount: Annotated[
        Decimal, Field(max_digits=10, decimal_places=2, ge=Decimal("0.01"), allow_inf_nan=False)
    ]
    spent_on: IsoDate
    note: Annotated[str, Field(max_length=200, pattern=NO_NUL)] | None = None
    kind: ExpenseKind = ExpenseKind.NEED
    category_id: Annotated[JsonInt, Field(ge=1, le=2147483647)]


class ExpenseUpdate(InputSchema):
    """Every field is optional: PATCH changes only what it sends."""

    amount: Annotated[
        Decimal, Field(max_digits=10, decimal_places=2, ge=Decimal("0.01"), allow_inf_nan=False)
    ] = Field(default_factory=omitted)
    spent_on: IsoDate = Field(default_factory=omitted)
    note: Annotated[str, Field(max_length=200, pattern=NO_NUL)] | None = None
    kind: ExpenseKind = Field(default_factory=omitted)
    category_id: Annotated[JsonInt, Field(ge=1, le=2147483647)] = Field(default_factory=omitted)


class ExpenseRead(ReadSchema):
    id: int
    owner_id: int
    amount: Annotated[Decimal, scaled(2)]
    spent_on: date
    note: str | None
    kind: ExpenseKind
    category_id: int
    created_at: datetime
    updated_at: datetime


ExpensePage = Page[ExpenseRead]


class ExpenseListQuery(InputSchema):
    """Query parameters of GET /expenses: paging, order, filters, search."""

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=1000)
    sort: Literal[
        "spent_on",
        "-spent_on",
        "amount",
        "-amount",
        "id",
        "-id",
    ] = "-spent_on"
    q: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=NO_NUL,
        description="Case-insensitive substring of note",
    )
    kind: ExpenseKind | None = None
    kind__in: Annotated[str, Field(pattern="^(need|want|saving)(,(need|want|saving))*$")] | None = (
        None
    )
    category_id: Annotated[int, Field(ge=1, le=2147483647)] | None = None
    spent_on: IsoDate | None = None
    spent_on__gte: IsoDate | None = None
    spent_on__lte: IsoDate | None = None
