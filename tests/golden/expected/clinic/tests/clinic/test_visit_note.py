"""API tests of /visit-notes: CRUD, paging, sorting, filters, validation and access rules."""

from typing import Any

import pytest
from httpx import AsyncClient

from tests.clinic.factories import ClinicFactory
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

PATH = "/visit-notes"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {
    "summary": "plain",
    "visited_on": "plain",
    "follow_up_in_days": "number",
}


@pytest.fixture
async def actor(make_user: MakeUser) -> AuthUser:
    """A user who may do everything this feature offers."""
    return await make_user(
        "admin",
        "doctor",
    )


@pytest.fixture
def factory(client: AsyncClient, actor: AuthUser) -> ClinicFactory:
    return ClinicFactory(client, actor.headers)


async def test_create_read_update_delete(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    payload = await factory.visit_note_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["summary"] == payload["summary"]
    assert created["visited_on"] == payload["visited_on"]
    assert created["follow_up_in_days"] == payload["follow_up_in_days"]
    assert created["owner_id"] == actor.id

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created

    changes = {"summary": "summary-1"}
    patched = await client.patch(f"{PATH}/{created['id']}", json=changes, headers=actor.headers)
    assert patched.status_code == 200, patched.text
    assert patched.json()["summary"] == changes["summary"]
    assert patched.json()["updated_at"] >= created["updated_at"]
    assert (
        await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    ).json() == patched.json()

    deleted = await client.delete(f"{PATH}/{created['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    assert_problem(await client.get(f"{PATH}/{created['id']}", headers=actor.headers), 404)


async def test_list_walks_every_page_once(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    ids = [(await factory.create_visit_note())["id"] for _ in range(5)]
    first = await client.get(PATH, params={"limit": 2}, headers=actor.headers)
    assert len(first.json()["items"]) == 2
    assert first.json()["next_cursor"] is not None
    items = await list_all(client, PATH, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_a_page_costs_the_same_sql_statements_whatever_its_size(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, sql_statements: list[str]
) -> None:
    """The same SQL statements for every page size: nothing is loaded row by row."""
    for _ in range(12):
        await factory.create_visit_note()
    counts = []
    for size in (3, 6, 12):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 3/6/12 rows: {counts}"


@pytest.mark.parametrize("sort", ["visited_on", "-visited_on", "id", "-id"])
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_visit_note()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {"visited_on": "visited_on", "id": "id"}[key]
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
        ("appointment_id", "appointment_id", "eq"),
        ("visited_on", "visited_on", "eq"),
        ("visited_on__gte", "visited_on", "gte"),
        ("visited_on__lte", "visited_on", "lte"),
    ],
)
async def test_filter(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, param: str, member: str, op: str
) -> None:
    rows = [await factory.create_visit_note() for _ in range(3)]
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


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=50)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    for _ in range(3):
        await factory.create_visit_note()
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
        pytest.param("summary", "0", True, id="summary at min_length 1"),
        pytest.param("summary", "", False, id="summary below min_length 1"),
        pytest.param(
            "summary",
            "summary-0_______________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________",
            True,
            id="summary at max_length 2000",
        ),
        pytest.param(
            "summary",
            "summary-0________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________________",
            False,
            id="summary above max_length 2000",
        ),
        pytest.param("visited_on", "2030-02-30", False, id="visited_on impossible date"),
        pytest.param("follow_up_in_days", 1, True, id="follow_up_in_days at min 1"),
        pytest.param("follow_up_in_days", 0, False, id="follow_up_in_days below min 1"),
        pytest.param("follow_up_in_days", 365, True, id="follow_up_in_days at max 365"),
        pytest.param("follow_up_in_days", 366, False, id="follow_up_in_days above max 365"),
        pytest.param("follow_up_in_days", 1.5, False, id="follow_up_in_days not an integer"),
        pytest.param("summary", "summary-0\x00", False, id="summary with a NUL"),
    ],
)
async def test_field_boundaries(
    client: AsyncClient,
    actor: AuthUser,
    factory: ClinicFactory,
    field: str,
    value: Any,
    valid: bool,
) -> None:
    payload = await factory.visit_note_payload(**{field: value})
    response = await client.post(PATH, json=payload, headers=actor.headers)
    if valid:
        assert response.status_code == 201, response.text
    else:
        assert_problem(response, 422, field)


async def test_unknown_and_server_owned_fields_are_rejected(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    server_owned: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
        {"created_at": "2030-01-01T00:00:00Z"},
        {"owner_id": 1},
    ]
    for extra in server_owned:
        payload = await factory.visit_note_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_visit_note()
    not_patchable: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
    ]
    for extra in not_patchable:
        response = await client.patch(f"{PATH}/{created['id']}", json=extra, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    response = await client.patch(
        f"{PATH}/{created['id']}", json={"summary": None}, headers=actor.headers
    )
    assert_problem(response, 422, "summary")


@pytest.mark.parametrize("missing", ["summary", "visited_on", "appointment_id"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, missing: str
) -> None:
    payload = await factory.visit_note_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: ClinicFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_visit_note()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 401)
    assert_status(await client.post(PATH, json=await factory.visit_note_payload()), 401)
    assert_status(await client.get(url), 401)
    assert_status(await client.patch(url, json={}), 401)
    assert_status(await client.delete(url), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: ClinicFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_visit_note()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is False
    payload = await factory.visit_note_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 403)
    assert_status(await client.get(url, headers=stranger.headers), 404)
    assert_status(await client.patch(url, json={}, headers=stranger.headers), 404)
    assert_status(await client.delete(url, headers=stranger.headers), 404)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_unique_together_1(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    """appointment, owner are unique together."""
    first = await factory.visit_note_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    copied = {name: first[name] for name in ["appointment_id"]}
    second = await factory.visit_note_payload(**copied)
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)


async def test_appointment_id_must_exist(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    payload = await factory.visit_note_payload(appointment_id=MISSING_ID)
    assert_problem(
        await client.post(PATH, json=payload, headers=actor.headers), 422, "appointment_id"
    )
    row = await factory.create_visit_note()
    response = await client.patch(
        f"{PATH}/{row['id']}", json={"appointment_id": MISSING_ID}, headers=actor.headers
    )
    assert_problem(response, 422, "appointment_id")
