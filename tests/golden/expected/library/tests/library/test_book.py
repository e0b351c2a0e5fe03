"""API tests of /books: CRUD, paging, sorting, filters, validation and access rules."""

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

PATH = "/books"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {
    "title": "plain",
    "isbn": "plain",
    "catalog_id": "plain",
    "word_count": "number",
    "weight_kg": "number",
    "format": "plain",
    "subjects": "plain",
    "times_lent": "number",
}


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
    payload = await factory.book_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["title"] == payload["title"]
    assert created["isbn"] == payload["isbn"]
    assert created["word_count"] == payload["word_count"]
    assert created["format"] == payload["format"]
    assert created["subjects"] == payload["subjects"]

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created

    changes = {"title": "title-0"}
    patched = await client.patch(f"{PATH}/{created['id']}", json=changes, headers=actor.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == changes["title"]
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
    ids = [(await factory.create_book())["id"] for _ in range(5)]
    first = await client.get(PATH, params={"limit": 2}, headers=actor.headers)
    assert len(first.json()["items"]) == 2
    assert first.json()["next_cursor"] is not None
    items = await list_all(client, PATH, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_a_page_costs_the_same_sql_statements_whatever_its_size(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, sql_statements: list[str]
) -> None:
    """The same SQL statements for every page size: nothing is loaded row by row."""
    author = await factory.create_author()
    for _ in range(12):
        await factory.create_book(author_id=author["id"])
    counts = []
    for size in (3, 6, 12):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 3/6/12 rows: {counts}"


@pytest.mark.parametrize(
    "sort",
    ["title", "-title", "word_count", "-word_count", "created_at", "-created_at", "id", "-id"],
)
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_book()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {
        "title": "title",
        "word_count": "word_count",
        "created_at": "created_at",
        "id": "id",
    }[key]
    kind = ORDER_KINDS.get(attribute, "plain")
    expected = sorted(
        items,
        key=lambda item: (order_key(kind, item[attribute]), item["id"]),
        reverse=sort.startswith("-"),
    )
    assert [item["id"] for item in items] == [item["id"] for item in expected]


@pytest.mark.parametrize(
    ("param", "member", "op"),
    [
        ("format", "format", "eq"),
        ("format__in", "format", "in"),
        ("author_id", "author_id", "eq"),
        ("word_count", "word_count", "eq"),
        ("word_count__gte", "word_count", "gte"),
        ("word_count__lte", "word_count", "lte"),
    ],
)
async def test_filter(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, param: str, member: str, op: str
) -> None:
    rows = [await factory.create_book() for _ in range(3)]
    kind = ORDER_KINDS.get(member, "plain")
    if op == "in":
        wanted = {rows[0][member], rows[1][member]}
        items = await list_all(client, PATH, actor.headers, **{param: ",".join(sorted(wanted))})
        assert {item[member] for item in items} <= wanted
        expected = {row["id"] for row in rows if row[member] in wanted}
    else:
        value = rows[1][member]
        items = await list_all(client, PATH, actor.headers, **{param: value})

        def matches(candidate: Any) -> bool:
            if candidate is None:
                return False
            left, right = order_key(kind, candidate), order_key(kind, value)
            return {"eq": left == right, "gte": left >= right, "lte": left <= right}[op]

        assert all(matches(item[member]) for item in items)
        expected = {row["id"] for row in rows if matches(row[member])}
    assert expected <= {item["id"] for item in items}


async def test_search_is_a_case_insensitive_substring(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    rows = [await factory.create_book() for _ in range(3)]
    text = str(rows[0]["title"])
    query = text[len(text) // 4 : max(len(text) // 4 + 1, 3 * len(text) // 4)].swapcase()
    items = await list_all(client, PATH, actor.headers, q=query)
    assert rows[0]["id"] in {item["id"] for item in items}
    fields = ["title", "isbn"]
    for item in items:
        assert any(query.lower() in str(item[name] or "").lower() for name in fields)
    assert await list_all(client, PATH, actor.headers, q="%_no such text_%") == []


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    for _ in range(3):
        await factory.create_book()
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
        pytest.param("title", "0", True, id="title at min_length 1"),
        pytest.param("title", "", False, id="title below min_length 1"),
        pytest.param(
            "title",
            "title-0_________________________________________________________________________________________________________________________________________________________________________________________________",
            True,
            id="title at max_length 200",
        ),
        pytest.param(
            "title",
            "title-0__________________________________________________________________________________________________________________________________________________________________________________________________",
            False,
            id="title above max_length 200",
        ),
        pytest.param("isbn", "!780441478125", False, id="isbn not matching pattern"),
        pytest.param("catalog_id", "not-a-uuid", False, id="catalog_id not a uuid"),
        pytest.param("word_count", 1, True, id="word_count at min 1"),
        pytest.param("word_count", 0, False, id="word_count below min 1"),
        pytest.param("word_count", 1.5, False, id="word_count not an integer"),
        pytest.param("weight_kg", 0.01, True, id="weight_kg at min 0.01"),
        pytest.param("weight_kg", 0.009999999999999998, False, id="weight_kg below min 0.01"),
        pytest.param("weight_kg", 20.0, True, id="weight_kg at max 20.0"),
        pytest.param("weight_kg", 20.000000000000004, False, id="weight_kg above max 20.0"),
        pytest.param("format", "not-a-valid-value", False, id="format not one of the enum values"),
        pytest.param("title", "The Left Hand of Darkness\x00", False, id="title with a NUL"),
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
    payload = await factory.book_payload(**{field: value})
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
        {"times_lent": None},
    ]
    for extra in server_owned:
        payload = await factory.book_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_book()
    not_patchable: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
        {"isbn": None},
        {"catalog_id": None},
    ]
    for extra in not_patchable:
        response = await client.patch(f"{PATH}/{created['id']}", json=extra, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    response = await client.patch(
        f"{PATH}/{created['id']}", json={"title": None}, headers=actor.headers
    )
    assert_problem(response, 422, "title")


@pytest.mark.parametrize("missing", ["title", "isbn"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory, missing: str
) -> None:
    payload = await factory.book_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: LibraryFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_book()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 200)
    assert_status(await client.post(PATH, json=await factory.book_payload()), 401)
    assert_status(await client.get(url), 200)
    assert_status(await client.patch(url, json={}), 401)
    assert_status(await client.delete(url), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: LibraryFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_book()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is True
    payload = await factory.book_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 403)
    assert_status(await client.get(url, headers=stranger.headers), 200)
    assert_status(await client.patch(url, json={}, headers=stranger.headers), 403)
    assert_status(await client.delete(url, headers=stranger.headers), 403)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_unique_isbn(client: AsyncClient, actor: AuthUser, factory: LibraryFactory) -> None:
    first = await factory.book_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    second = await factory.book_payload(isbn=first["isbn"])
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)


async def test_unique_catalog_id(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    first = await factory.book_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    second = await factory.book_payload(catalog_id=first["catalog_id"])
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)


async def test_author_id_must_exist(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    payload = await factory.book_payload(author_id=MISSING_ID)
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, "author_id")
    row = await factory.create_book()
    response = await client.patch(
        f"{PATH}/{row['id']}", json={"author_id": MISSING_ID}, headers=actor.headers
    )
    assert_problem(response, 422, "author_id")
    parent = await factory.create_author()
    linked = await factory.create_book(author_id=parent["id"])
    assert linked["author_id"] == parent["id"]


async def test_deleting_a_book_restricts_its_loan_book_id(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    parent = await factory.create_book()
    child = await factory.create_loan(book_id=parent["id"])
    response = await client.delete(f"{PATH}/{parent['id']}", headers=actor.headers)
    child_url = f"/loans/{child['id']}"
    assert_problem(response, 409)
    assert (await client.get(child_url, headers=actor.headers)).status_code == 200


async def test_deleting_a_book_cascades_its_review_book_id(
    client: AsyncClient, actor: AuthUser, factory: LibraryFactory
) -> None:
    parent = await factory.create_book()
    child = await factory.create_review(book_id=parent["id"])
    response = await client.delete(f"{PATH}/{parent['id']}", headers=actor.headers)
    child_url = f"/reviews/{child['id']}"
    assert response.status_code == 204
    assert_problem(await client.get(child_url, headers=actor.headers), 404)
