"""API tests of /authors: CRUD, paging, sorting, filters, validation and access rules."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.conftest import AuthUser, MakeUser
from tests.helpers import (
    assert_bad_list_queries_rejected,
    assert_malformed_json_rejected,
    assert_problem,
    assert_status,
    assert_unknown_id_is_404,
    list_all,
    order_key,
)
from tests.library.factories import LibraryFactory

PATH = "/authors"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {"name": "plain", "born_on": "plain", "homepage": "plain"}


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """A user who may do everything this feature offers."""
    return await make_user(
        "librarian",
    )


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> LibraryFactory:
    return LibraryFactory(client, actor.headers)


async def test_create_read_update_delete(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    payload = await factory.author_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["name"] == payload["name"]
    assert created["born_on"] == payload["born_on"]

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created

    changes = {"name": "name-1"}
    patched = await client.patch(f"{PATH}/{created['id']}", json=changes, headers=actor.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == changes["name"]
    assert patched.json()["updated_at"] >= created["updated_at"]
    assert (
        await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    ).json() == patched.json()

    deleted = await client.delete(f"{PATH}/{created['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    assert_problem(await client.get(f"{PATH}/{created['id']}", headers=actor.headers), 404)


async def test_list_walks_every_page_once(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    ids = [(await factory.create_author())["id"] for _ in range(5)]
    first = await client.get(PATH, params={"limit": 2}, headers=actor.headers)
    assert len(first.json()["items"]) == 2
    assert first.json()["next_cursor"] is not None
    items = await list_all(client, PATH, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_a_page_costs_the_same_sql_statements_whatever_its_size(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, sql_statements: list[str]
) -> None:
    """The same SQL statements for every page size: nothing is loaded row by row."""
    for _ in range(100):
        await factory.create_author()
    counts = []
    for size in (10, 50, 100):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 10/50/100 rows: {counts}"


@pytest.mark.parametrize("sort", ["name", "-name", "id", "-id"])
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_author()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {"name": "name", "id": "id"}[key]
    kind = ORDER_KINDS.get(attribute, "plain")
    expected = sorted(
        items,
        key=lambda item: (order_key(kind, item[attribute]), item["id"]),
        reverse=sort.startswith("-"),
    )
    assert [item["id"] for item in items] == [item["id"] for item in expected]


async def test_search_is_a_case_insensitive_substring(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    rows = [await factory.create_author() for _ in range(3)]
    text = str(rows[0]["name"])
    query = text[len(text) // 4 : max(len(text) // 4 + 1, 3 * len(text) // 4)].swapcase()
    items = await list_all(client, PATH, actor.headers, q=query)
    assert rows[0]["id"] in {item["id"] for item in items}
    fields = ["name"]
    for item in items:
        assert any(query.lower() in str(item[name] or "").lower() for name in fields)
    assert await list_all(client, PATH, actor.headers, q="%_no such text_%") == []


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    for _ in range(3):
        await factory.create_author()
    page = (
        await client.get(PATH, params={"limit": 1, "sort": "-id"}, headers=actor.headers)
    ).json()
    response = await client.get(
        PATH,
        params={"limit": 1, "sort": "id", "cursor": page["next_cursor"]},
        headers=actor.headers,
    )
    assert_problem(response, 422, "cursor")


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        pytest.param("name", "0", True, id="name at min_length 1"),
        pytest.param("name", "", False, id="name below min_length 1"),
        pytest.param(
            "name",
            "name-0__________________________________________________________________________________________________________________",
            True,
            id="name at max_length 120",
        ),
        pytest.param(
            "name",
            "name-0___________________________________________________________________________________________________________________",
            False,
            id="name above max_length 120",
        ),
        pytest.param("born_on", "2030-02-30", False, id="born_on impossible date"),
        pytest.param("homepage", "not a url", False, id="homepage not a url"),
        pytest.param("name", "name-0\x00", False, id="name with a NUL"),
    ],
)
async def test_field_boundaries(
    client: AsyncClient,
    actor: AuthUser,
    factory: LibraryFactory,
    field: str,
    value: Any,
    valid: bool,
) -> None:
    payload = await factory.author_payload(**{field: value})
    response = await client.post(PATH, json=payload, headers=actor.headers)
    if valid:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 422, field)


async def test_unknown_and_server_owned_fields_are_rejected(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    server_owned: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
        {"created_at": "2030-01-01T00:00:00Z"},
    ]
    for extra in server_owned:
        payload = await factory.author_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_author()
    not_patchable: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
    ]
    for extra in not_patchable:
        response = await client.patch(f"{PATH}/{created['id']}", json=extra, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    response = await client.patch(
        f"{PATH}/{created['id']}", json={"name": None}, headers=actor.headers
    )
    assert_problem(response, 422, "name")


@pytest.mark.parametrize("missing", ["name"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, missing: str
) -> None:
    payload = await factory.author_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: LibraryFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_author()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 200)
    assert_status(await client.post(PATH, json=await factory.author_payload()), 401)
    assert_status(await client.get(url), 200)
    assert_status(await client.patch(url, json={}), 401)
    assert_status(await client.delete(url), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_author()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is True
    payload = await factory.author_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 403)
    assert_status(await client.get(url, headers=stranger.headers), 200)
    assert_status(await client.patch(url, json={}, headers=stranger.headers), 403)
    assert_status(await client.delete(url, headers=stranger.headers), 403)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_deleting_a_author_set_nulls_its_book_author_id(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    parent = await factory.create_author()
    child = await factory.create_book(author_id=parent["id"])
    response = await client.delete(f"{PATH}/{parent['id']}", headers=actor.headers)
    child_url = f"/books/{child['id']}"
    assert response.status_code == 204
    assert (await client.get(child_url, headers=actor.headers)).json()["author_id"] is None
