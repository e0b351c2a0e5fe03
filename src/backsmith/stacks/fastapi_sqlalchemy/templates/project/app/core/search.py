"""Case-insensitive substring search that treats the user's text literally."""

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

_ESCAPE = "\\"


def contains(column: InstrumentedAttribute[Any], text: str) -> ColumnElement[bool]:
    """`column` contains `text`, ignoring case; `%` and `_` in `text` match themselves."""
    escaped = text.replace(_ESCAPE, _ESCAPE * 2).replace("%", r"\%").replace("_", r"\_")
    return column.ilike(f"%{escaped}%", escape=_ESCAPE)
