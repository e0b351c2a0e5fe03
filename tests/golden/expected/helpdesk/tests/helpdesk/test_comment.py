"""API tests of /comments: CRUD, paging, sorting, filters, validation and access rules."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.conftest import AuthUser, MakeUser
from tests.helpdesk.factories import HelpdeskFactory
from tests.helpers import (
    assert_bad_list_queries_rejected,
    assert_malformed_json_rejected,
    assert_problem,
    assert_status,
    assert_unknown_id_is_404,
    list_all,
    order_key,
)

PATH = "/comments"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {"body": "plain"}


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """A user who may do everything this feature offers."""
    return await make_user(
        "admin",
        "agent",
    )


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> HelpdeskFactory:
    return HelpdeskFactory(client, actor.headers)


async def test_create_read_update_delete(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    payload = await factory.comment_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["body"] == payload["body"]
    assert created["owner_id"] == actor.id

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created

    changes = {"body": "body-1"}
    patched = await client.patch(f"{PATH}/{created['id']}", json=changes, headers=actor.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["body"] == changes["body"]
    assert patched.json()["updated_at"] >= created["updated_at"]
    assert (
        await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    ).json() == patched.json()

    deleted = await client.delete(f"{PATH}/{created['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    assert_problem(await client.get(f"{PATH}/{created['id']}", headers=actor.headers), 404)


async def test_list_walks_every_page_once(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    ids = [(await factory.create_comment())["id"] for _ in range(5)]
    first = await client.get(PATH, params={"limit": 2}, headers=actor.headers)
    assert len(first.json()["items"]) == 2
    assert first.json()["next_cursor"] is not None
    items = await list_all(client, PATH, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_a_page_costs_the_same_sql_statements_whatever_its_size(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sql_statements: list[str]
) -> None:
    """The same SQL statements for every page size: nothing is loaded row by row."""
    # Embedded parents, taken in turn: a larger page holds more of them.
    ticket_pool = [await factory.create_ticket() for _ in range(12)]
    for index in range(100):
        await factory.create_comment(
            ticket_id=ticket_pool[index % 12]["id"],
        )
    counts = []
    for size in (10, 50, 100):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 10/50/100 rows: {counts}"


@pytest.mark.parametrize("sort", ["id", "-id"])
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_comment()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {"id": "id"}[key]
    kind = ORDER_KINDS.get(attribute, "plain")
    expected = sorted(
        items,
        key=lambda item: (order_key(kind, item[attribute]), item["id"]),
        reverse=sort.startswith("-"),
    )
    assert [item["id"] for item in items] == [item["id"] for item in expected]


@pytest.mark.parametrize(("param", "member", "op"), [("ticket_id", "ticket_id", "eq")])
async def test_filter(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, param: str, member: str, op: str
) -> None:
    rows = [await factory.create_comment() for _ in range(3)]
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


@pytest.mark.parametrize(
    ("param", "column", "parent", "field", "op", "kind", "hidden"),
    [
        ("ticket__status", "ticket_id", "ticket", "status", "eq", "plain", True),
        ("ticket__status__in", "ticket_id", "ticket", "status", "in", "plain", True),
        ("ticket__priority", "ticket_id", "ticket", "priority", "eq", "number", True),
        ("ticket__priority__gte", "ticket_id", "ticket", "priority", "gte", "number", True),
        ("ticket__priority__lte", "ticket_id", "ticket", "priority", "lte", "number", True),
    ],
)
async def test_filter_by_a_parents_field(
    client: AsyncClient,
    make_user: MakeUser,
    actor: AuthUser,
    factory: HelpdeskFactory,
    param: str,
    column: str,
    parent: str,
    field: str,
    op: str,
    kind: str,
    hidden: bool,
) -> None:
    make_parent = getattr(factory, f"create_{parent}")
    parents = [await make_parent() for _ in range(3)]
    rows = [await factory.create_comment(**{column: parents[i % 3]["id"]}) for i in range(6)]
    parent_of = {row["id"]: next(p for p in parents if p["id"] == row[column]) for row in rows}
    if op == "in":
        wanted = {parents[0][field], parents[1][field]}
        value: Any = ",".join(sorted(wanted))

        def matches(candidate: Any) -> bool:
            return candidate in wanted
    else:
        value = parents[1][field]

        def matches(candidate: Any) -> bool:
            if candidate is None:
                return False
            left, right = order_key(kind, candidate), order_key(kind, value)
            return {"eq": left == right, "gte": left >= right, "lte": left <= right}[op]

    items = await list_all(client, PATH, actor.headers, **{param: value})
    expected = {row["id"] for row in rows if matches(parent_of[row["id"]][field])}
    assert {item["id"] for item in items} == expected
    assert expected, "the filter matched nothing: the test proves nothing"
    if hidden:
        # They list these rows but may not read the parents: the filter matches none.
        stranger = await make_user()
        assert await list_all(client, PATH, stranger.headers, **{param: value}) == []


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    for _ in range(3):
        await factory.create_comment()
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
        pytest.param("body", "0", True, id="body at min_length 1"),
        pytest.param("body", "", False, id="body below min_length 1"),
        pytest.param(
            "body",
            "body-0__________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________",
            True,
            id="body at max_length 4000",
        ),
        pytest.param(
            "body",
            "body-0___________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________",
            False,
            id="body above max_length 4000",
        ),
        pytest.param("body", "body-0\x00", False, id="body with a NUL"),
    ],
)
async def test_field_boundaries(
    client: AsyncClient,
    actor: AuthUser,
    factory: HelpdeskFactory,
    field: str,
    value: Any,
    valid: bool,
) -> None:
    payload = await factory.comment_payload(**{field: value})
    response = await client.post(PATH, json=payload, headers=actor.headers)
    if valid:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 422, field)


async def test_unknown_and_server_owned_fields_are_rejected(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    server_owned: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
        {"created_at": "2030-01-01T00:00:00Z"},
        {"owner_id": 1},
    ]
    for extra in server_owned:
        payload = await factory.comment_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_comment()
    not_patchable: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
    ]
    for extra in not_patchable:
        response = await client.patch(f"{PATH}/{created['id']}", json=extra, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    response = await client.patch(
        f"{PATH}/{created['id']}", json={"body": None}, headers=actor.headers
    )
    assert_problem(response, 422, "body")


@pytest.mark.parametrize("missing", ["body", "ticket_id"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, missing: str
) -> None:
    payload = await factory.comment_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: HelpdeskFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_comment()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 401)
    assert_status(await client.post(PATH, json=await factory.comment_payload()), 401)
    assert_status(await client.get(url), 401)
    assert_status(await client.patch(url, json={}), 401)
    assert_status(await client.delete(url), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_comment()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is True
    payload = await factory.comment_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 422)
    assert_status(await client.get(url, headers=stranger.headers), 200)
    assert_status(await client.patch(url, json={}, headers=stranger.headers), 403)
    assert_status(await client.delete(url, headers=stranger.headers), 403)


async def test_another_tenant_never_reaches_a_comment(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A user of another tenant, with every role the actor has: the row is not there."""
    row = await factory.create_comment()
    url = f"{PATH}/{row['id']}"
    outsider = await make_user("admin", "agent", tenant="tenant-b")
    assert row["id"] not in {item["id"] for item in await list_all(client, PATH, outsider.headers)}
    assert_problem(await client.get(url, headers=outsider.headers), 404)
    assert_problem(await client.patch(url, json={}, headers=outsider.headers), 404)
    assert_problem(await client.delete(url, headers=outsider.headers), 404)
    # A row of theirs cannot point at the first tenant's rows: as if those did not exist.
    payload = await factory.comment_payload()
    assert_problem(
        await client.post(PATH, json=payload, headers=outsider.headers), 422, "ticket_id"
    )
    # Rows of their own live apart.
    theirs = factory.as_user(outsider.headers)  # its parents of their own, or shared ones
    payload = await theirs.comment_payload()
    created = await client.post(PATH, json=payload, headers=outsider.headers)
    assert created.status_code == 201, created.text
    assert created.json()["id"] not in {
        item["id"] for item in await list_all(client, PATH, factory.headers)
    }


async def test_a_user_of_no_tenant_is_refused_comments(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    stray = await make_user("admin", "agent", tenant=None)
    assert_problem(await client.get(PATH, headers=stray.headers), 403)
    payload = await factory.comment_payload()
    assert_problem(await client.post(PATH, json=payload, headers=stray.headers), 403)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_ticket_id_must_exist(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    payload = await factory.comment_payload(ticket_id=MISSING_ID)
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, "ticket_id")
    row = await factory.create_comment()
    response = await client.patch(
        f"{PATH}/{row['id']}", json={"ticket_id": MISSING_ID}, headers=actor.headers
    )
    assert_problem(response, 422, "ticket_id")


async def test_reply_to_id_must_exist(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    payload = await factory.comment_payload(reply_to_id=MISSING_ID)
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, "reply_to_id")
    row = await factory.create_comment()
    response = await client.patch(
        f"{PATH}/{row['id']}", json={"reply_to_id": MISSING_ID}, headers=actor.headers
    )
    assert_problem(response, 422, "reply_to_id")
    parent = await factory.create_comment()
    linked = await factory.create_comment(reply_to_id=parent["id"])
    assert linked["reply_to_id"] == parent["id"]


async def test_reply_count_follows_the_comment_rows_pointing_at_it(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    row = await factory.create_comment()
    assert row["reply_count"] == 0
    linked = [await factory.create_comment(reply_to_id=row["id"]) for _ in range(3)]
    await factory.create_comment()  # points elsewhere: not counted
    expected = len(linked)
    read = (await client.get(f"{PATH}/{row['id']}", headers=actor.headers)).json()
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    for seen in (read["reply_count"], listed[row["id"]]["reply_count"]):
        assert seen == expected
    stranger = await make_user()
    theirs = (await client.get(f"{PATH}/{row['id']}", headers=stranger.headers)).json()
    assert theirs["reply_count"] == read["reply_count"]


async def test_ticket_summary_shows_the_ticket_it_may_read(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """`ticket` carries its id, title, status on every read, and follows it."""

    def summary(parent: dict[str, Any]) -> dict[str, Any]:
        return {name: parent[name] for name in ("id", "title", "status")}

    parent = await factory.create_ticket()
    row = await factory.create_comment(ticket_id=parent["id"])
    url = f"{PATH}/{row['id']}"
    assert row["ticket"] == summary(parent)
    read = (await client.get(url, headers=actor.headers)).json()
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    assert read["ticket"] == listed[row["id"]]["ticket"] == summary(parent)

    # Moved to another ticket, the row's response embeds that one.
    other = await factory.create_ticket()
    moved = await client.patch(url, json={"ticket_id": other["id"]}, headers=actor.headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["ticket"] == summary(other)
    # The ticket changes: the summary follows.
    value = next(v for v in ("title-0", "title-1") if v != other["title"])
    changed = await client.patch(
        f"/tickets/{other['id']}",
        json={"title": value},
        headers={**actor.headers, "If-Match": f'"{other["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    read = (await client.get(url, headers=actor.headers)).json()
    assert read["ticket"] == summary(changed.json())
    assert read["ticket"]["title"] == value

    stranger = await make_user()
    theirs = (await client.get(url, headers=stranger.headers)).json()
    assert theirs["ticket_id"] == other["id"]
    # They may read the comment but not its ticket: the summary does not reveal it.
    assert theirs["ticket"] is None


async def test_reply_to_summary_shows_the_comment_it_may_read(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """`reply_to` carries its id, body on every read, and follows it."""

    def summary(parent: dict[str, Any]) -> dict[str, Any]:
        return {name: parent[name] for name in ("id", "body")}

    parent = await factory.create_comment()
    row = await factory.create_comment(reply_to_id=parent["id"])
    url = f"{PATH}/{row['id']}"
    assert row["reply_to"] == summary(parent)
    read = (await client.get(url, headers=actor.headers)).json()
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    assert read["reply_to"] == listed[row["id"]]["reply_to"] == summary(parent)

    # Moved to another comment, the row's response embeds that one.
    other = await factory.create_comment()
    moved = await client.patch(url, json={"reply_to_id": other["id"]}, headers=actor.headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["reply_to"] == summary(other)
    # The comment changes: the summary follows.
    value = next(v for v in ("body-0", "body-1") if v != other["body"])
    changed = await client.patch(
        f"/comments/{other['id']}", json={"body": value}, headers=actor.headers
    )
    assert changed.status_code == 200, changed.text
    read = (await client.get(url, headers=actor.headers)).json()
    assert read["reply_to"] == summary(changed.json())
    assert read["reply_to"]["body"] == value

    empty = await factory.create_comment(reply_to_id=None)
    assert empty["reply_to"] is None
    assert (await client.get(f"{PATH}/{empty['id']}", headers=actor.headers)).json()[
        "reply_to"
    ] is None

    stranger = await make_user()
    theirs = (await client.get(url, headers=stranger.headers)).json()
    assert theirs["reply_to_id"] == other["id"]
    assert theirs["reply_to"] == read["reply_to"]


async def test_comments_of_a_ticket(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """GET /tickets/{id}/comments pages through that ticket's rows alone."""
    parents = [await factory.create_ticket() for _ in range(2)]
    rows = [await factory.create_comment(ticket_id=parents[i % 2]["id"]) for i in range(5)]
    url = f"/tickets/{parents[0]['id']}/comments"
    items = await list_all(client, url, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(row["id"] for row in rows[::2])
    missing = f"/tickets/{MISSING_ID}/comments"
    assert_problem(await client.get(missing, headers=actor.headers), 404)
    assert_status(await client.get(url), 401)
    stranger = await make_user()
    listed = await client.get(url, headers=stranger.headers)
    assert_status(listed, 404)


async def test_replies_of_a_comment(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """GET /comments/{id}/replies pages through that comment's rows alone."""
    parents = [await factory.create_comment() for _ in range(2)]
    rows = [await factory.create_comment(reply_to_id=parents[i % 2]["id"]) for i in range(5)]
    url = f"/comments/{parents[0]['id']}/replies"
    items = await list_all(client, url, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(row["id"] for row in rows[::2])
    missing = f"/comments/{MISSING_ID}/replies"
    assert_problem(await client.get(missing, headers=actor.headers), 404)
    assert_status(await client.get(url), 401)
    stranger = await make_user()
    listed = await client.get(url, headers=stranger.headers)
    assert_status(listed, 200)
    # Every page: the first one may be smaller than the rows (page_size.default).
    seen = {item["id"] for item in await list_all(client, url, stranger.headers)}
    assert (rows[0]["id"] in seen) is True


async def test_reply_to_id_never_closes_a_loop(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    top = await factory.create_comment()
    middle = await factory.create_comment(reply_to_id=top["id"])
    bottom = await factory.create_comment(reply_to_id=middle["id"])
    for row, above in ((top, bottom), (top, middle), (middle, middle)):
        response = await client.patch(
            f"{PATH}/{row['id']}", json={"reply_to_id": above["id"]}, headers=actor.headers
        )
        assert_problem(response, 422, "reply_to_id")
    elsewhere = await factory.create_comment()  # not below the row: a legal move
    moved = await client.patch(
        f"{PATH}/{top['id']}", json={"reply_to_id": elsewhere["id"]}, headers=actor.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["reply_to_id"] == elsewhere["id"]


async def test_deleting_a_comment_cascades_its_comment_reply_to_id(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    parent = await factory.create_comment()
    child = await factory.create_comment(reply_to_id=parent["id"])
    response = await client.delete(f"{PATH}/{parent['id']}", headers=actor.headers)
    child_url = f"/comments/{child['id']}"
    assert response.status_code == 204
    assert_problem(await client.get(child_url, headers=actor.headers), 404)
