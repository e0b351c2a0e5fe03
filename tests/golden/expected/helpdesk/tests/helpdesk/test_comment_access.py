"""The authorization matrix of /comments.

Every caller, action and ownership, one cell each. The expected statuses were
decided from the feature's access rules when this module was generated. Callers:
`anonymous` (no token), `user` (signed in, no roles) and one user per declared role
(`role:NAME`), each acting on a row someone else made; `-owner` cells are the row's
owner (with the fewest roles that let them create it) acting on their own row.
"""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.helpdesk.models import Comment
from tests.conftest import AuthUser, MakeUser
from tests.helpdesk.factories import HelpdeskFactory
from tests.helpers import (
    Roles,
    assert_status,
    headers_of,
    list_all,
    sign_in,
)

PATH = "/comments"


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """The user who makes the rows: they may do everything this feature offers."""
    return await make_user("admin", "agent")


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> HelpdeskFactory:
    return HelpdeskFactory(client, actor.headers)


async def _hand_over(session: AsyncSession, row: dict[str, Any], caller: AuthUser | None) -> None:
    """Make `caller` the row's owner, as if they had created it.

    Done in the database: the actor's payload points at parents that the owner may not
    be allowed to make, and which rows the owner may reach is what the cell is about.
    """
    assert caller is not None, "only a signed-in user owns rows"
    await session.execute(update(Comment).where(Comment.id == row["id"]).values(owner_id=caller.id))
    await session.commit()


async def _row(
    factory: HelpdeskFactory,
    caller: AuthUser | None,
    session: AsyncSession,
    owns: bool,
    **overrides: Any,
) -> dict[str, Any]:
    """A row the actor made, handed to the caller when the cell is about their own row."""
    row = await factory.create_comment(**overrides)
    if owns:
        await _hand_over(session, row, caller)
    return row


@pytest.mark.parametrize(
    ("roles", "owns", "status", "listed"),
    [
        pytest.param(None, False, 401, False, id="anonymous-list-not_owner"),
        pytest.param((), False, 200, True, id="user-list-not_owner"),
        pytest.param(("admin",), False, 200, True, id="role:admin-list-not_owner"),
        pytest.param(("agent",), False, 200, True, id="role:agent-list-not_owner"),
        pytest.param((), True, 200, True, id="user-list-owner"),
    ],
)
async def test_list(
    client: AsyncClient,
    make_user: MakeUser,
    factory: HelpdeskFactory,
    session: AsyncSession,
    roles: Roles,
    owns: bool,
    status: int,
    listed: bool,
) -> None:
    """GET /comments: the status, and whether the row is among the caller's items."""
    caller = await sign_in(make_user, roles)
    row = await _row(factory, caller, session, owns)
    assert_status(await client.get(PATH, headers=headers_of(caller)), status)
    if status == 200:
        items = await list_all(client, PATH, headers_of(caller))
        assert (row["id"] in {item["id"] for item in items}) is listed


@pytest.mark.parametrize(
    ("roles", "owns", "status"),
    [
        pytest.param(None, False, 401, id="anonymous-read-not_owner"),
        pytest.param((), False, 200, id="user-read-not_owner"),
        pytest.param(("admin",), False, 200, id="role:admin-read-not_owner"),
        pytest.param(("agent",), False, 200, id="role:agent-read-not_owner"),
        pytest.param((), True, 200, id="user-read-owner"),
    ],
)
async def test_read(
    client: AsyncClient,
    make_user: MakeUser,
    factory: HelpdeskFactory,
    session: AsyncSession,
    roles: Roles,
    owns: bool,
    status: int,
) -> None:
    caller = await sign_in(make_user, roles)
    row = await _row(factory, caller, session, owns)
    response = await client.get(f"{PATH}/{row['id']}", headers=headers_of(caller))
    assert_status(response, status)
    if status == 200:
        assert response.json()["id"] == row["id"]


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-create"),
        pytest.param((), 422, id="user-create"),
        pytest.param(("admin",), 201, id="role:admin-create"),
        pytest.param(("agent",), 201, id="role:agent-create"),
    ],
)
async def test_create(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    """POST /comments with a valid payload whose parents the actor made."""
    caller = await sign_in(make_user, roles)
    payload = await factory.comment_payload()
    response = await client.post(PATH, json=payload, headers=headers_of(caller))
    assert_status(response, status)
    if status == 201:
        assert caller is not None
        assert response.json()["owner_id"] == caller.id


@pytest.mark.parametrize(
    ("roles", "owns", "status"),
    [
        pytest.param(None, False, 401, id="anonymous-update-not_owner"),
        pytest.param((), False, 403, id="user-update-not_owner"),
        pytest.param(("admin",), False, 200, id="role:admin-update-not_owner"),
        pytest.param(("agent",), False, 403, id="role:agent-update-not_owner"),
        pytest.param((), True, 200, id="user-update-owner"),
    ],
)
async def test_update(
    client: AsyncClient,
    make_user: MakeUser,
    factory: HelpdeskFactory,
    session: AsyncSession,
    roles: Roles,
    owns: bool,
    status: int,
) -> None:
    """PATCH with an empty body: only the access rules can refuse it."""
    caller = await sign_in(make_user, roles)
    row = await _row(factory, caller, session, owns)
    response = await client.patch(f"{PATH}/{row['id']}", json={}, headers=headers_of(caller))
    assert_status(response, status)


@pytest.mark.parametrize(
    ("roles", "owns", "status"),
    [
        pytest.param(None, False, 401, id="anonymous-delete-not_owner"),
        pytest.param((), False, 403, id="user-delete-not_owner"),
        pytest.param(("admin",), False, 204, id="role:admin-delete-not_owner"),
        pytest.param(("agent",), False, 403, id="role:agent-delete-not_owner"),
        pytest.param((), True, 204, id="user-delete-owner"),
    ],
)
async def test_delete(
    client: AsyncClient,
    make_user: MakeUser,
    factory: HelpdeskFactory,
    session: AsyncSession,
    roles: Roles,
    owns: bool,
    status: int,
) -> None:
    caller = await sign_in(make_user, roles)
    row = await _row(factory, caller, session, owns)
    url = f"{PATH}/{row['id']}"
    assert_status(await client.delete(url, headers=headers_of(caller)), status)
    if status == 204:  # gone for the caller, who could read it a moment ago
        assert_status(await client.get(url, headers=headers_of(caller)), 404)
