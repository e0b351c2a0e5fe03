"""The authorization matrix of /authors.

Every caller and action, one cell each. The expected statuses were
decided from the feature's access rules when this module was generated. Callers:
`anonymous` (no token), `user` (signed in, no roles) and one user per declared role
(`role:NAME`), each acting on a row someone else made.
"""

import pytest
from httpx import AsyncClient

from tests.conftest import AuthUser, MakeUser
from tests.helpers import (
    Roles,
    assert_status,
    headers_of,
    list_all,
    sign_in,
)
from tests.library.factories import LibraryFactory

PATH = "/authors"


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """The user who makes the rows: they may do everything this feature offers."""
    return await make_user("librarian")


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> LibraryFactory:
    return LibraryFactory(client, actor.headers)


@pytest.mark.parametrize(
    ("roles", "status", "listed"),
    [
        pytest.param(None, 200, True, id="anonymous-list"),
        pytest.param((), 200, True, id="user-list"),
        pytest.param(("admin",), 200, True, id="role:admin-list"),
        pytest.param(("librarian",), 200, True, id="role:librarian-list"),
    ],
)
async def test_list(
    client: AsyncClient,
    make_user: MakeUser,
    factory: LibraryFactory,
    roles: Roles,
    status: int,
    listed: bool,
) -> None:
    """GET /authors: the status, and whether the row is among the caller's items."""
    caller = await sign_in(make_user, roles)
    row = await factory.create_author()
    assert_status(await client.get(PATH, headers=headers_of(caller)), status)
    if status == 200:
        items = await list_all(client, PATH, headers_of(caller))
        assert (row["id"] in {item["id"] for item in items}) is listed


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 200, id="anonymous-read"),
        pytest.param((), 200, id="user-read"),
        pytest.param(("admin",), 200, id="role:admin-read"),
        pytest.param(("librarian",), 200, id="role:librarian-read"),
    ],
)
async def test_read(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory, roles: Roles, status: int
) -> None:
    caller = await sign_in(make_user, roles)
    row = await factory.create_author()
    response = await client.get(f"{PATH}/{row['id']}", headers=headers_of(caller))
    assert_status(response, status)
    if status == 200:
        assert response.json()["id"] == row["id"]


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-create"),
        pytest.param((), 403, id="user-create"),
        pytest.param(("admin",), 403, id="role:admin-create"),
        pytest.param(("librarian",), 201, id="role:librarian-create"),
    ],
)
async def test_create(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory, roles: Roles, status: int
) -> None:
    """POST /authors with a valid payload whose parents the actor made."""
    caller = await sign_in(make_user, roles)
    payload = await factory.author_payload()
    response = await client.post(PATH, json=payload, headers=headers_of(caller))
    assert_status(response, status)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-update"),
        pytest.param((), 403, id="user-update"),
        pytest.param(("admin",), 403, id="role:admin-update"),
        pytest.param(("librarian",), 200, id="role:librarian-update"),
    ],
)
async def test_update(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory, roles: Roles, status: int
) -> None:
    """PATCH with an empty body: only the access rules can refuse it."""
    caller = await sign_in(make_user, roles)
    row = await factory.create_author()
    response = await client.patch(f"{PATH}/{row['id']}", json={}, headers=headers_of(caller))
    assert_status(response, status)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-delete"),
        pytest.param((), 403, id="user-delete"),
        pytest.param(("admin",), 403, id="role:admin-delete"),
        pytest.param(("librarian",), 204, id="role:librarian-delete"),
    ],
)
async def test_delete(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory, roles: Roles, status: int
) -> None:
    caller = await sign_in(make_user, roles)
    row = await factory.create_author()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.delete(url, headers=headers_of(caller)), status)
    if status == 204:  # gone for the caller, who could read it a moment ago
        assert_status(await client.get(url, headers=headers_of(caller)), 404)
