"""Keyset pagination over a real table, in both directions, with and without NULLs."""

import base64
import datetime
import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.errors import InvalidInput
from app.core.pagination import SortOrder, decode_cursor, encode_cursor, paginate


async def _users(session: AsyncSession, emails: list[str]) -> None:
    session.add_all(User(email=email, hashed_password="x") for email in emails)
    await session.commit()


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("nullable", [False, True])
async def test_walking_every_cursor_yields_each_row_once_in_order(
    session: AsyncSession, descending: bool, nullable: bool
) -> None:
    emails = [f"u{i % 3}-{i}@example.com" for i in range(7)]
    await _users(session, emails)
    order = SortOrder(
        key="email", column=User.email, id_column=User.id, descending=descending, nullable=nullable
    )
    seen: list[str] = []
    cursor: str | None = None
    while True:
        rows, cursor = await paginate(session, select(User), order, limit=3, cursor=cursor)
        seen += [row.email for row in rows]
        if cursor is None:
            break
    assert seen == sorted(emails, reverse=descending)


@pytest.mark.parametrize("descending", [False, True])
async def test_pages_stay_exact_while_rows_come_and_go(
    session: AsyncSession, descending: bool
) -> None:
    """Between two pages, rows are inserted before and after the cursor and rows are
    deleted on both sides: no row shows twice, and no row that stayed is skipped (a
    cursor is a place in the order, not an offset)."""
    original = [f"m{i:02d}@example.com" for i in range(20)]
    await _users(session, original)
    order = SortOrder(key="email", column=User.email, id_column=User.id, descending=descending)
    seen: list[str] = []
    deleted: set[str] = set()
    cursor: str | None = None
    for step in range(100):
        rows, cursor = await paginate(session, select(User), order, limit=3, cursor=cursor)
        seen += [row.email for row in rows]
        if cursor is None:
            break
        await _users(session, [f"a{step:02d}@example.com", f"z{step:02d}@example.com"])
        unseen = [email for email in original if email not in seen and email not in deleted]
        for email in (seen[0], unseen[len(unseen) // 2] if unseen else None):
            if email is not None and email not in deleted:
                await session.delete(await session.scalar(select(User).where(User.email == email)))
                deleted.add(email)
        await session.commit()
    assert cursor is None
    assert len(seen) == len(set(seen))
    assert set(original) - deleted <= set(seen)
    assert seen == sorted(seen, reverse=descending)


async def test_nulls_come_last_ascending_and_first_descending(session: AsyncSession) -> None:
    # Cursors that stand on a NULL value: emails are never NULL, so nothing follows a
    # NULL ascending, and every row follows it descending.
    await _users(session, ["a@example.com", "b@example.com", "c@example.com"])
    users = (await session.scalars(select(User).order_by(User.id))).all()
    order = SortOrder(key="email", column=User.email, id_column=User.id, nullable=True)
    value, row_id = decode_cursor(order, encode_cursor(order, None, users[0].id))
    assert value is None and row_id == users[0].id
    rows, _ = await paginate(
        session, select(User), order, limit=10, cursor=encode_cursor(order, None, 0)
    )
    assert rows == []  # after a NULL at the end of an ascending order, only NULLs follow
    descending = SortOrder(
        key="email", column=User.email, id_column=User.id, descending=True, nullable=True
    )
    rows, _ = await paginate(
        session, select(User), descending, limit=10, cursor=encode_cursor(descending, None, 10**6)
    )
    assert [row.email for row in rows] == ["c@example.com", "b@example.com", "a@example.com"]


def _raw_cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        _raw_cursor({"not": "a list"}),
        _raw_cursor(["email", "x@example.com", 2**40]),
        _raw_cursor(["email", "nul\x00byte", 1]),
        _raw_cursor(["id", 1, 1]),
        _raw_cursor(["email", ["a", "list"], 1]),
    ],
)
def test_hand_made_cursors_are_a_422(cursor: str) -> None:
    order = SortOrder(key="email", column=User.email, id_column=User.id)
    with pytest.raises(InvalidInput):
        decode_cursor(order, cursor)


def test_a_cursor_round_trips_typed_values() -> None:
    order = SortOrder(key="created_at", column=User.created_at, id_column=User.id)
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert decode_cursor(order, encode_cursor(order, moment, 7)) == (moment, 7)
    flags = SortOrder(key="is_active", column=User.is_active, id_column=User.id)
    assert decode_cursor(flags, encode_cursor(flags, True, 3)) == (True, 3)
