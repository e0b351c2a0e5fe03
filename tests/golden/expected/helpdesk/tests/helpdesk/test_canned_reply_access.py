"""The authorization matrix of /canned-replies.

Every caller and action, one cell each. The expected statuses were
decided from the feature's access rules when this module was generated. Callers:
`anonymous` (no token), `user` (signed in, no roles) and one user per declared role
(`role:NAME`), each acting on a row someone else made.
"""

import pytest
from httpx import AsyncClient

from tests.conftest import AuthUser, MakeUser
from tests.helpdesk.factories import HelpdeskFactory
from tests.helpers import (
    Roles,
    assert_status,
    headers_of,
    if_match,
    list_all,
    sign_in,
)

PATH = "/canned-replies"


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """The user who makes the rows: they may do everything this feature offers."""
    return await make_user("admin", "agent")


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> HelpdeskFactory:
    return HelpdeskFactory(client, actor.headers)


@pytest.mark.parametrize(
    ("roles", "status", "listed"),
    [
        pytest.param(None, 401, False, id="anonymous-list"),
        pytest.param((), 200, True, id="user-list"),
        pytest.param(("admin",), 200, True, id="role:admin-list"),
        pytest.param(("agent",), 200, True, id="role:agent-list"),
    ],
)
async def test_list(
    client: AsyncClient,
    make_user: MakeUser,
    factory: HelpdeskFactory,
    roles: Roles,
    status: int,
    listed: bool,
) -> None:
    """GET /canned-replies: the status, and whether the row is among the caller's items."""
    caller = await sign_in(make_user, roles)
    row = await factory.create_canned_reply()
    assert_status(await client.get(PATH, headers=headers_of(caller)), status)
    if status == 200:
        items = await list_all(client, PATH, headers_of(caller))
        assert (row["id"] in {item["id"] for item in items}) is listed


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-read"),
        pytest.param((), 200, id="user-read"),
        pytest.param(("admin",), 200, id="role:admin-read"),
        pytest.param(("agent",), 200, id="role:agent-read"),
    ],
)
async def test_read(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    caller = await sign_in(make_user, roles)
    row = await factory.create_canned_reply()
    response = await client.get(f"{PATH}/{row['id']}", headers=headers_of(caller))
    assert_status(response, status)
    if status == 200:
        assert response.json()["id"] == row["id"]


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-create"),
        pytest.param((), 403, id="user-create"),
        pytest.param(("admin",), 201, id="role:admin-create"),
        pytest.param(("agent",), 201, id="role:agent-create"),
    ],
)
async def test_create(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    """POST /canned-replies with a valid payload whose parents the actor made."""
    caller = await sign_in(make_user, roles)
    payload = await factory.canned_reply_payload()
    response = await client.post(PATH, json=payload, headers=headers_of(caller))
    assert_status(response, status)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-update"),
        pytest.param((), 403, id="user-update"),
        pytest.param(("admin",), 200, id="role:admin-update"),
        pytest.param(("agent",), 200, id="role:agent-update"),
    ],
)
async def test_update(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    """PATCH with an empty body: only the access rules can refuse it."""
    caller = await sign_in(make_user, roles)
    row = await factory.create_canned_reply()
    response = await client.patch(
        f"{PATH}/{row['id']}", json={}, headers={**headers_of(caller), **if_match(row)}
    )
    assert_status(response, status)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-delete"),
        pytest.param((), 403, id="user-delete"),
        pytest.param(("admin",), 204, id="role:admin-delete"),
        pytest.param(("agent",), 204, id="role:agent-delete"),
    ],
)
async def test_delete(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    caller = await sign_in(make_user, roles)
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.delete(url, headers={**headers_of(caller), **if_match(row)}), status)
    if status == 204:  # gone for the caller, who could read it a moment ago
        assert_status(await client.get(url, headers=headers_of(caller)), 404)


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        pytest.param(None, 401, id="anonymous-restore"),
        pytest.param((), 403, id="user-restore"),
        pytest.param(("admin",), 200, id="role:admin-restore"),
        pytest.param(("agent",), 200, id="role:agent-restore"),
    ],
)
async def test_restore(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory, roles: Roles, status: int
) -> None:
    """POST /canned-replies/{id}/restore on a row the actor deleted."""
    caller = await sign_in(make_user, roles)
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    deleted = await client.delete(url, headers={**factory.headers, **if_match(row)})
    assert deleted.status_code == 204, deleted.text
    assert_status(await client.post(f"{url}/restore", headers=headers_of(caller)), status)
