"""API tests of /canned-replies: CRUD, paging, sorting, filters, validation and access rules."""

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
    if_match,
    list_all,
    order_key,
)

PATH = "/canned-replies"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {"name": "plain", "text": "plain"}


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
    payload = await factory.canned_reply_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["name"] == payload["name"]
    assert created["text"] == payload["text"]

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created
    assert created["version"] == 1
    assert response.headers["etag"] == read.headers["etag"] == '"1"'

    changes = {"name": "name-1"}
    patched = await client.patch(
        f"{PATH}/{created['id']}", json=changes, headers={**actor.headers, **if_match(created)}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == changes["name"]
    assert patched.json()["updated_at"] >= created["updated_at"]
    assert patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'
    assert (
        await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    ).json() == patched.json()

    current = (await client.get(f"{PATH}/{created['id']}", headers=actor.headers)).json()
    deleted = await client.delete(
        f"{PATH}/{created['id']}", headers={**actor.headers, **if_match(current)}
    )
    assert deleted.status_code == 204
    assert_problem(await client.get(f"{PATH}/{created['id']}", headers=actor.headers), 404)


async def test_writes_need_the_current_etag(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """PATCH and DELETE: 428 without If-Match, 412 with a stale one; no write is lost."""
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    assert_problem(await client.patch(url, json={}, headers=actor.headers), 428)
    assert_problem(
        await client.patch(url, json={}, headers={**actor.headers, "If-Match": "*"}), 428
    )
    assert_problem(await client.delete(url, headers=actor.headers), 428)

    first = await client.patch(url, json={}, headers={**actor.headers, **if_match(row)})
    assert first.status_code == 200, first.text
    assert first.json()["version"] == row["version"] + 1
    assert first.headers["etag"] == f'"{row["version"] + 1}"'
    # A second writer still holding the first ETag loses, and its change is not applied.
    changes: dict[str, Any] = {"name": "name-1"}
    stale = await client.patch(url, json=changes, headers={**actor.headers, **if_match(row)})
    assert_problem(stale, 412)
    weak = {"If-Match": f'W/"{first.json()["version"]}"'}  # If-Match compares strongly
    assert_problem(await client.patch(url, json=changes, headers={**actor.headers, **weak}), 412)
    assert_problem(await client.delete(url, headers={**actor.headers, **if_match(row)}), 412)
    assert (await client.get(url, headers=actor.headers)).json() == first.json()

    deleted = await client.delete(url, headers={**actor.headers, **if_match(first.json())})
    assert deleted.status_code == 204
    assert_problem(await client.get(url, headers=actor.headers), 404)


async def test_a_deleted_canned_reply_vanishes_until_restored(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    deleted = await client.delete(url, headers={**actor.headers, **if_match(row)})
    assert deleted.status_code == 204
    assert_problem(await client.get(url, headers=actor.headers), 404)
    assert row["id"] not in {item["id"] for item in await list_all(client, PATH, actor.headers)}
    assert_problem(
        await client.patch(url, json={}, headers={**actor.headers, **if_match(row)}), 404
    )
    assert_problem(await client.delete(url, headers={**actor.headers, **if_match(row)}), 404)

    restored = await client.post(f"{url}/restore", headers=actor.headers)
    assert restored.status_code == 200, restored.text
    unchanged = {key: value for key, value in row.items() if key not in ("updated_at", "version")}
    assert {key: restored.json()[key] for key in unchanged} == unchanged
    assert restored.headers["etag"] == f'"{restored.json()["version"]}"'
    assert (await client.get(url, headers=actor.headers)).json() == restored.json()
    assert row["id"] in {item["id"] for item in await list_all(client, PATH, actor.headers)}
    # Only a deleted row can be restored: a live or unknown one is a 404.
    assert_problem(await client.post(f"{url}/restore", headers=actor.headers), 404)
    assert_problem(await client.post(f"{PATH}/{MISSING_ID}/restore", headers=actor.headers), 404)


async def test_who_may_restore_a_canned_reply(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """Restoring someone else's deleted row: without a token, and as a user without roles."""
    stranger = await make_user()
    rows = [await factory.create_canned_reply() for _ in range(2)]
    for row in rows:
        response = await client.delete(
            f"{PATH}/{row['id']}", headers={**factory.headers, **if_match(row)}
        )
        assert response.status_code == 204
    assert_status(await client.post(f"{PATH}/{rows[0]['id']}/restore"), 401)
    response = await client.post(f"{PATH}/{rows[1]['id']}/restore", headers=stranger.headers)
    assert_status(response, 403)


async def test_a_deleted_canned_reply_frees_its_unique_values(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """Uniqueness counts live rows only; restoring a row whose values were reused is a 409."""
    payload = await factory.canned_reply_payload()
    first = (await client.post(PATH, json=payload, headers=actor.headers)).json()
    url = f"{PATH}/{first['id']}"
    assert (
        await client.delete(url, headers={**actor.headers, **if_match(first)})
    ).status_code == 204
    copied = {name: payload[name] for name in ["name"]}
    second = await client.post(
        PATH, json=await factory.canned_reply_payload(**copied), headers=actor.headers
    )
    assert second.status_code == 201, second.text
    assert_problem(await client.post(f"{url}/restore", headers=actor.headers), 409)
    assert_problem(await client.get(url, headers=actor.headers), 404)


async def test_list_walks_every_page_once(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    ids = [(await factory.create_canned_reply())["id"] for _ in range(5)]
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
    for index in range(12):
        await factory.create_canned_reply(
            ticket_id=ticket_pool[index % 12]["id"],
        )
    counts = []
    for size in (3, 6, 12):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 3/6/12 rows: {counts}"


@pytest.mark.parametrize("sort", ["id", "-id"])
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_canned_reply()
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


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    for _ in range(3):
        await factory.create_canned_reply()
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
            "name-0__________________________________________________________________________",
            True,
            id="name at max_length 80",
        ),
        pytest.param(
            "name",
            "name-0___________________________________________________________________________",
            False,
            id="name above max_length 80",
        ),
        pytest.param("name", "name-0\x00", False, id="name with a NUL"),
        pytest.param("text", "text-0\x00", False, id="text with a NUL"),
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
    payload = await factory.canned_reply_payload(**{field: value})
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
    ]
    for extra in server_owned:
        payload = await factory.canned_reply_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_canned_reply()
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


@pytest.mark.parametrize("missing", ["name", "text"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, missing: str
) -> None:
    payload = await factory.canned_reply_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: HelpdeskFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 401)
    assert_status(await client.post(PATH, json=await factory.canned_reply_payload()), 401)
    assert_status(await client.get(url), 401)
    assert_status(await client.patch(url, json={}, headers=if_match(row)), 401)
    row = (await client.get(url, headers=factory.headers)).json()
    assert_status(await client.delete(url, headers=if_match(row)), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is True
    payload = await factory.canned_reply_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 403)
    assert_status(await client.get(url, headers=stranger.headers), 200)
    assert_status(
        await client.patch(url, json={}, headers={**stranger.headers, **if_match(row)}), 403
    )
    row = (await client.get(url, headers=factory.headers)).json()
    assert_status(await client.delete(url, headers={**stranger.headers, **if_match(row)}), 403)


async def test_another_tenant_never_reaches_a_canned_reply(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A user of another tenant, with every role the actor has: the row is not there."""
    row = await factory.create_canned_reply()
    url = f"{PATH}/{row['id']}"
    outsider = await make_user("admin", "agent", tenant="tenant-b")
    assert row["id"] not in {item["id"] for item in await list_all(client, PATH, outsider.headers)}
    assert_problem(await client.get(url, headers=outsider.headers), 404)
    assert_problem(
        await client.patch(url, json={}, headers={**outsider.headers, **if_match(row)}), 404
    )
    assert_problem(await client.delete(url, headers={**outsider.headers, **if_match(row)}), 404)
    # A row of theirs cannot point at the first tenant's rows: as if those did not exist.
    payload = await factory.canned_reply_payload()
    assert_problem(
        await client.post(PATH, json=payload, headers=outsider.headers), 422, "ticket_id"
    )
    # Rows of their own live apart, and unique values are unique per tenant.
    theirs = factory.as_user(outsider.headers)  # its parents of their own, or shared ones
    mine = await factory.canned_reply_payload()
    assert (await client.post(PATH, json=mine, headers=factory.headers)).status_code == 201
    payload = await theirs.canned_reply_payload(
        name=mine["name"],
    )
    created = await client.post(PATH, json=payload, headers=outsider.headers)
    assert created.status_code == 201, created.text
    assert created.json()["id"] not in {
        item["id"] for item in await list_all(client, PATH, factory.headers)
    }


async def test_a_user_of_no_tenant_is_refused_canned_replies(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    stray = await make_user("admin", "agent", tenant=None)
    assert_problem(await client.get(PATH, headers=stray.headers), 403)
    payload = await factory.canned_reply_payload()
    assert_problem(await client.post(PATH, json=payload, headers=stray.headers), 403)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_unique_name(client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory) -> None:
    first = await factory.canned_reply_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    second = await factory.canned_reply_payload(name=first["name"])
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)
    other = await factory.create_canned_reply()
    response = await client.patch(
        f"{PATH}/{other['id']}",
        json={"name": first["name"]},
        headers={**actor.headers, **if_match(other)},
    )
    assert_problem(response, 409)


async def test_ticket_id_must_exist(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    payload = await factory.canned_reply_payload(ticket_id=MISSING_ID)
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, "ticket_id")
    row = await factory.create_canned_reply()
    response = await client.patch(
        f"{PATH}/{row['id']}",
        json={"ticket_id": MISSING_ID},
        headers={**actor.headers, **if_match(row)},
    )
    assert_problem(response, 422, "ticket_id")
    parent = await factory.create_ticket()
    linked = await factory.create_canned_reply(ticket_id=parent["id"])
    assert linked["ticket_id"] == parent["id"]


async def test_ticket_summary_shows_the_ticket_it_may_read(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """`ticket` carries its id, title on every read, and follows it."""

    def summary(parent: dict[str, Any]) -> dict[str, Any]:
        return {name: parent[name] for name in ("id", "title")}

    parent = await factory.create_ticket()
    row = await factory.create_canned_reply(ticket_id=parent["id"])
    url = f"{PATH}/{row['id']}"
    assert row["ticket"] == summary(parent)
    read = (await client.get(url, headers=actor.headers)).json()
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    assert read["ticket"] == listed[row["id"]]["ticket"] == summary(parent)

    # Moved to another ticket, the row's response embeds that one.
    other = await factory.create_ticket()
    moved = await client.patch(
        url, json={"ticket_id": other["id"]}, headers={**actor.headers, **if_match(row)}
    )
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

    empty = await factory.create_canned_reply(ticket_id=None)
    assert empty["ticket"] is None
    assert (await client.get(f"{PATH}/{empty['id']}", headers=actor.headers)).json()[
        "ticket"
    ] is None

    stranger = await make_user()
    theirs = (await client.get(url, headers=stranger.headers)).json()
    assert theirs["ticket_id"] == other["id"]
    # They may read the canned reply but not its ticket: the summary does not reveal it.
    assert theirs["ticket"] is None


async def test_replies_of_a_ticket(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """GET /tickets/{id}/replies pages through that ticket's rows alone."""
    parents = [await factory.create_ticket() for _ in range(2)]
    rows = [await factory.create_canned_reply(ticket_id=parents[i % 2]["id"]) for i in range(5)]
    url = f"/tickets/{parents[0]['id']}/replies"
    items = await list_all(client, url, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(row["id"] for row in rows[::2])
    missing = f"/tickets/{MISSING_ID}/replies"
    assert_problem(await client.get(missing, headers=actor.headers), 404)
    assert_status(await client.get(url), 401)
    stranger = await make_user()
    listed = await client.get(url, headers=stranger.headers)
    assert_status(listed, 404)
