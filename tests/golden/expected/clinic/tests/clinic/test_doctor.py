"""API tests of /doctors: CRUD, paging, sorting, filters, validation and access rules."""

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

PATH = "/doctors"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {
    "name": "plain",
    "specialty": "plain",
    "license_no": "plain",
    "fee": "decimal",
    "bio": "plain",
    "email": "plain",
    "website": "plain",
    "opens_at": "plain",
    "accepts_new_patients": "plain",
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
    payload = await factory.doctor_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["name"] == payload["name"]
    assert created["specialty"] == payload["specialty"]
    assert created["license_no"] == payload["license_no"]
    assert created["bio"] == payload["bio"]
    assert created["accepts_new_patients"] == payload["accepts_new_patients"]

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
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    ids = [(await factory.create_doctor())["id"] for _ in range(5)]
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
        await factory.create_doctor()
    counts = []
    for size in (3, 6, 12):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 3/6/12 rows: {counts}"


@pytest.mark.parametrize("sort", ["name", "-name", "fee", "-fee", "id", "-id"])
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_doctor()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {"name": "name", "fee": "fee", "id": "id"}[key]
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
        ("specialty", "specialty", "eq"),
        ("specialty__in", "specialty", "in"),
        ("accepts_new_patients", "accepts_new_patients", "eq"),
    ],
)
async def test_filter(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, param: str, member: str, op: str
) -> None:
    rows = [await factory.create_doctor() for _ in range(3)]
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
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    rows = [await factory.create_doctor() for _ in range(3)]
    text = str(rows[0]["name"])
    query = text[len(text) // 4 : max(len(text) // 4 + 1, 3 * len(text) // 4)].swapcase()
    items = await list_all(client, PATH, actor.headers, q=query)
    assert rows[0]["id"] in {item["id"] for item in items}
    fields = ["name", "bio"]
    for item in items:
        assert any(query.lower() in str(item[name] or "").lower() for name in fields)
    assert await list_all(client, PATH, actor.headers, q="%_no such text_%") == []


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    for _ in range(3):
        await factory.create_doctor()
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
            "name-0______________________________________________________________________________________________",
            True,
            id="name at max_length 100",
        ),
        pytest.param(
            "name",
            "name-0_______________________________________________________________________________________________",
            False,
            id="name above max_length 100",
        ),
        pytest.param(
            "specialty", "not-a-valid-value", False, id="specialty not one of the enum values"
        ),
        pytest.param("license_no", "!A-000000", False, id="license_no not matching pattern"),
        pytest.param("fee", "0.00", True, id="fee at min 0"),
        pytest.param("fee", "-0.01", False, id="fee below min 0"),
        pytest.param("fee", "12.505", False, id="fee with more than 2 decimal places"),
        pytest.param("fee", "1000000.00", False, id="fee with more than 6 integer digits"),
        pytest.param("email", "not-an-email", False, id="email not an email"),
        pytest.param("website", "not a url", False, id="website not a url"),
        pytest.param("opens_at", "25:00:00", False, id="opens_at impossible time"),
        pytest.param(
            "accepts_new_patients", "maybe", False, id="accepts_new_patients not a boolean"
        ),
        pytest.param("name", "name-0\x00", False, id="name with a NUL"),
        pytest.param("bio", "bio-0\x00", False, id="bio with a NUL"),
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
    payload = await factory.doctor_payload(**{field: value})
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
    ]
    for extra in server_owned:
        payload = await factory.doctor_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_doctor()
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


@pytest.mark.parametrize("missing", ["name", "license_no", "fee"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory, missing: str
) -> None:
    payload = await factory.doctor_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: ClinicFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_doctor()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 200)
    assert_status(await client.post(PATH, json=await factory.doctor_payload()), 401)
    assert_status(await client.get(url), 200)
    assert_status(await client.patch(url, json={}), 401)
    assert_status(await client.delete(url), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: ClinicFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_doctor()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is True
    payload = await factory.doctor_payload()
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 403)
    assert_status(await client.get(url, headers=stranger.headers), 200)
    assert_status(await client.patch(url, json={}, headers=stranger.headers), 403)
    assert_status(await client.delete(url, headers=stranger.headers), 403)


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_unique_license_no(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    first = await factory.doctor_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    second = await factory.doctor_payload(license_no=first["license_no"])
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)
    other = await factory.create_doctor()
    response = await client.patch(
        f"{PATH}/{other['id']}", json={"license_no": first["license_no"]}, headers=actor.headers
    )
    assert_problem(response, 409)


async def test_unique_email(client: AsyncClient, actor: AuthUser, factory: ClinicFactory) -> None:
    first = await factory.doctor_payload()
    assert (await client.post(PATH, json=first, headers=actor.headers)).status_code == 201
    second = await factory.doctor_payload(email=first["email"])
    assert_problem(await client.post(PATH, json=second, headers=actor.headers), 409)
    other = await factory.create_doctor()
    response = await client.patch(
        f"{PATH}/{other['id']}", json={"email": first["email"]}, headers=actor.headers
    )
    assert_problem(response, 409)


async def test_deleting_a_doctor_restricts_its_appointment_doctor_id(
    client: AsyncClient, actor: AuthUser, factory: ClinicFactory
) -> None:
    parent = await factory.create_doctor()
    child = await factory.create_appointment(doctor_id=parent["id"])
    response = await client.delete(f"{PATH}/{parent['id']}", headers=actor.headers)
    child_url = f"/appointments/{child['id']}"
    assert_problem(response, 409)
    assert (await client.get(child_url, headers=actor.headers)).status_code == 200
