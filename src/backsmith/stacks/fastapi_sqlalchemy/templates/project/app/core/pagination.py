"""Keyset pagination: stable pages whatever is inserted or deleted between requests.

A cursor is opaque to clients: URL-safe base64 of the sort key, the last row's sort value
and its id. Rows are ordered by (sort column, id), so walking every cursor yields each
visible row exactly once, and a deep page costs what the first one does.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy import BigInteger, Boolean, ColumnElement, Select, and_, literal, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import InvalidInput

T = TypeVar("T")
Row = TypeVar("Row")

CURSOR_LOC = ("query", "cursor")


class Page(BaseModel, Generic[T]):
    """One page of a list: `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class SortOrder:
    """The order of a list: a whitelisted column and a direction; `id` breaks ties."""

    key: str
    column: InstrumentedAttribute[Any]
    id_column: InstrumentedAttribute[int]
    descending: bool = False
    nullable: bool = False

    def order_by(self) -> list[ColumnElement[Any]]:
        if self.descending:
            return [self.column.desc().nulls_first(), self.id_column.desc()]
        return [self.column.asc().nulls_last(), self.id_column.asc()]

    def after(self, value: Any, row_id: int) -> ColumnElement[bool]:
        """Rows strictly after (value, row_id) in this order (NULLs last when ascending)."""
        column, ids = self.column, self.id_column
        if not self.nullable:
            # A row-value comparison lets the database walk the (column, id) index. The
            # values are typed explicitly: inside a tuple they would not take the column's
            # type, and SQLite compares datetimes as the text the column type writes.
            after = tuple_(literal(value, column.type), literal(row_id, ids.type))
            if self.descending:
                return tuple_(column, ids) < after
            return tuple_(column, ids) > after
        if self.descending:
            if value is None:
                return or_(and_(column.is_(None), ids < row_id), column.is_not(None))
            return and_(
                column.is_not(None), or_(column < value, and_(column == value, ids < row_id))
            )
        if value is None:
            return and_(column.is_(None), ids > row_id)
        return or_(
            column.is_(None),
            column > value,
            and_(column == value, ids > row_id),
        )


def _order_name(order: SortOrder) -> str:
    return f"-{order.key}" if order.descending else order.key


def encode_cursor(order: SortOrder, value: Any, row_id: int) -> str:
    raw = json.dumps([_order_name(order), to_jsonable_python(value), row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(order: SortOrder, cursor: str) -> tuple[Any, int]:
    """The (sort value, id) a cursor points after; 422 if it is not one of ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidInput(CURSOR_LOC, "Malformed cursor.") from None
    if key != _order_name(order):
        raise InvalidInput(CURSOR_LOC, "The cursor belongs to another sort order.")
    if not _fits_column(order.id_column, row_id):
        raise InvalidInput(CURSOR_LOC, "Malformed cursor.")
    if value is None:
        return None, row_id
    try:
        value = TypeAdapter(order.column.type.python_type).validate_python(value, strict=False)
    except (ValidationError, NotImplementedError):
        raise InvalidInput(CURSOR_LOC, "Malformed cursor.") from None
    if not _fits_column(order.column, value):
        raise InvalidInput(CURSOR_LOC, "Malformed cursor.")
    return value, row_id


def _fits_column(column: InstrumentedAttribute[Any], value: Any) -> bool:
    """Whether the database can compare `value` with `column` without a driver error.

    Cursors come back from clients, so a hand-made one must be a 422, not a 500.
    """
    if isinstance(value, bool):
        return isinstance(column.type, Boolean)
    if isinstance(value, int):
        bound = 2**63 if isinstance(column.type, BigInteger) else 2**31
        return -bound <= value < bound
    if isinstance(value, str):
        return "\x00" not in value
    return True


async def paginate(
    session: AsyncSession,
    statement: Select[Row],
    order: SortOrder,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Row], str | None]:
    """Run `statement` for one page; returns the rows and the cursor of the next page."""
    if cursor is not None:
        value, row_id = decode_cursor(order, cursor)
        statement = statement.where(order.after(value, row_id))
    statement = statement.order_by(*order.order_by()).limit(limit + 1)
    rows = list((await session.scalars(statement)).all())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    next_cursor = encode_cursor(
        order, getattr(last, order.column.key), getattr(last, order.id_column.key)
    )
    return rows, next_cursor
