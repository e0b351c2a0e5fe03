"""API tests of /tickets: CRUD, paging, sorting, filters, validation and access rules."""

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from app.helpdesk.models import (
    ticket_labels,
)
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

PATH = "/tickets"
MISSING_ID = 2147483647  # a valid id no row has
ORDER_KINDS: dict[str, str] = {
    "title": "plain",
    "body": "plain",
    "priority": "number",
    "status": "plain",
    "votes": "number",
    "opened_on": "plain",
    "due_on": "plain",
    "estimate_hours": "decimal",
    "closed_at": "plain",
    "internal_note": "plain",
}


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
    payload = await factory.ticket_payload()
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"{PATH}/{created['id']}")
    assert created["title"] == payload["title"]
    assert created["body"] == payload["body"]
    assert created["priority"] == payload["priority"]
    assert created["status"] == payload["status"]
    assert created["votes"] == payload["votes"]
    assert created["opened_on"] == payload["opened_on"]
    assert created["due_on"] == payload["due_on"]
    assert created["internal_note"] == payload["internal_note"]
    assert created["owner_id"] == actor.id

    read = await client.get(f"{PATH}/{created['id']}", headers=actor.headers)
    assert read.status_code == 200
    assert read.json() == created
    assert created["version"] == 1
    assert response.headers["etag"] == read.headers["etag"] == '"1"'

    changes = {"title": "title-1"}
    patched = await client.patch(
        f"{PATH}/{created['id']}", json=changes, headers={**actor.headers, **if_match(created)}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == changes["title"]
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
    row = await factory.create_ticket()
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
    changes: dict[str, Any] = {"title": "title-1"}
    stale = await client.patch(url, json=changes, headers={**actor.headers, **if_match(row)})
    assert_problem(stale, 412)
    weak = {"If-Match": f'W/"{first.json()["version"]}"'}  # If-Match compares strongly
    assert_problem(await client.patch(url, json=changes, headers={**actor.headers, **weak}), 412)
    assert_problem(await client.delete(url, headers={**actor.headers, **if_match(row)}), 412)
    assert (await client.get(url, headers=actor.headers)).json() == first.json()

    deleted = await client.delete(url, headers={**actor.headers, **if_match(first.json())})
    assert deleted.status_code == 204
    assert_problem(await client.get(url, headers=actor.headers), 404)


@pytest.mark.parametrize(
    ("start", "end", "allowed", "fixed"),
    [
        ("open", "in_progress", True, {}),
        ("open", "resolved", False, {}),
        ("open", "closed", True, {}),
        ("in_progress", "open", True, {}),
        ("in_progress", "resolved", True, {}),
        ("in_progress", "closed", False, {}),
        ("resolved", "open", False, {}),
        ("resolved", "in_progress", True, {}),
        ("resolved", "closed", True, {}),
        ("closed", "open", False, {}),
        ("closed", "in_progress", False, {}),
        ("closed", "resolved", False, {}),
    ],
)
async def test_status_moves_only_as_declared(
    client: AsyncClient,
    actor: AuthUser,
    factory: HelpdeskFactory,
    start: str,
    end: str,
    allowed: bool,
    fixed: dict[str, Any],
) -> None:
    """A move of status the spec does not allow is a 409 that names the allowed ones.

    `fixed`: the other fields the checks read, so that the row meets them before the move
    (and after, when it is allowed)."""
    moves: dict[str, tuple[str, ...]] = {
        "open": ("in_progress", "closed"),
        "in_progress": ("open", "resolved"),
        "resolved": ("closed", "in_progress"),
        "closed": (),
    }
    row = await factory.create_ticket(**{**fixed, "status": start})
    url = f"{PATH}/{row['id']}"
    response = await client.patch(
        url, json={"status": end}, headers={**actor.headers, **if_match(row)}
    )
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == end
        return
    assert_problem(response, 409)
    named = ", ".join(moves[start]) or "nothing, it is final"
    assert response.json()["detail"] == (
        f"status cannot move from {start} to {end}; allowed from {start}: {named}."
    )
    assert (await client.get(url, headers=actor.headers)).json()["status"] == start


@pytest.mark.parametrize(
    ("breaking", "message", "patch"),
    [
        pytest.param(
            {"due_on": "2030-01-01", "opened_on": "2030-01-02"},
            "A ticket cannot be due before it was opened.",
            {"due_on": "2030-01-01"},
            id="check 1",
        ),
        pytest.param(
            {"priority": 3, "body": None},
            "Urgent tickets (priority 3 and above) need a description.",
            {"priority": 3, "body": None},
            id="check 2",
        ),
        pytest.param(
            {"estimate_hours": "12.5", "due_on": "2030-01-01", "opened_on": "2030-01-01"},
            "The estimate does not fit in the working days until the due date.",
            {"estimate_hours": "12.5"},
            id="check 3",
        ),
    ],
)
async def test_cross_field_checks(
    client: AsyncClient,
    actor: AuthUser,
    factory: HelpdeskFactory,
    breaking: dict[str, Any],
    message: str,
    patch: dict[str, Any] | None,
) -> None:
    """A row that breaks a check is a 422 with the check's message, on create and when a
    PATCH merged with the stored row breaks it."""
    payload = await factory.ticket_payload(**breaking)
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert_problem(response, 422)
    assert [error["msg"] for error in response.json()["errors"]] == [message]
    if patch is None:
        return
    row = await factory.create_ticket()
    url = f"{PATH}/{row['id']}"
    response = await client.patch(url, json=patch, headers={**actor.headers, **if_match(row)})
    assert_problem(response, 422)
    assert [error["msg"] for error in response.json()["errors"]] == [message]
    assert (await client.get(url, headers=actor.headers)).json() == row


async def test_action_resolve(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """POST /tickets/{id}/resolve. Resolve: sets status='resolved'."""
    row = await factory.create_ticket(**{"status": "in_progress", "body": "body-0"})
    response = await client.post(f"{PATH}/{row['id']}/resolve", headers=actor.headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    expected: dict[str, Any] = {"status": "resolved"}
    assert {name: changed[name] for name in expected} == expected
    assert changed["version"] == row["version"] + 1
    assert response.headers["etag"] == f'"{changed["version"]}"'
    assert (await client.get(f"{PATH}/{row['id']}", headers=actor.headers)).json() == changed

    # The guard refuses a row it does not hold for, and the row stays as it was.
    refused = await factory.create_ticket(**{"status": "open", "body": "body-0"})
    response = await client.post(f"{PATH}/{refused['id']}/resolve", headers=actor.headers)
    assert_problem(response, 409)
    assert (
        response.json()["detail"]
        == "Only a ticket in progress, with a description, can be resolved."
    )
    assert (await client.get(f"{PATH}/{refused['id']}", headers=actor.headers)).json() == refused
    assert_problem(await client.post(f"{PATH}/{MISSING_ID}/resolve", headers=actor.headers), 404)


async def test_who_may_resolve(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """Resolve someone else's row: without a token, and as a user without roles."""
    stranger = await make_user()
    # Two rows: a call that is let through changes the row the next caller gets.
    rows = [
        await factory.create_ticket(**{"status": "in_progress", "body": "body-0"}) for _ in range(2)
    ]
    assert_status(await client.post(f"{PATH}/{rows[0]['id']}/resolve"), 401)
    response = await client.post(f"{PATH}/{rows[-1]['id']}/resolve", headers=stranger.headers)
    assert_status(response, 404)


async def test_action_close(client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory) -> None:
    """POST /tickets/{id}/close. Close the ticket and record when."""
    row = await factory.create_ticket(**{"status": "open"})
    response = await client.post(f"{PATH}/{row['id']}/close", headers=actor.headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    expected: dict[str, Any] = {"status": "closed"}
    assert {name: changed[name] for name in expected} == expected
    assert changed["closed_at"] is not None
    assert changed["version"] == row["version"] + 1
    assert response.headers["etag"] == f'"{changed["version"]}"'
    assert (await client.get(f"{PATH}/{row['id']}", headers=actor.headers)).json() == changed

    # The guard refuses a row it does not hold for, and the row stays as it was.
    refused = await factory.create_ticket(**{"status": "in_progress"})
    response = await client.post(f"{PATH}/{refused['id']}/close", headers=actor.headers)
    assert_problem(response, 409)
    assert response.json()["detail"] == "Only an open or resolved ticket can be closed."
    assert (await client.get(f"{PATH}/{refused['id']}", headers=actor.headers)).json() == refused
    assert_problem(await client.post(f"{PATH}/{MISSING_ID}/close", headers=actor.headers), 404)


async def test_who_may_close(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """Close someone else's row: without a token, and as a user without roles."""
    stranger = await make_user()
    # Two rows: a call that is let through changes the row the next caller gets.
    rows = [await factory.create_ticket(**{"status": "open"}) for _ in range(2)]
    assert_status(await client.post(f"{PATH}/{rows[0]['id']}/close"), 401)
    response = await client.post(f"{PATH}/{rows[-1]['id']}/close", headers=stranger.headers)
    assert_status(response, 404)


async def test_action_reset_votes(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """POST /tickets/{id}/reset_votes. Reset_votes: sets votes=0."""
    row = await factory.create_ticket(**{"votes": 1})
    response = await client.post(f"{PATH}/{row['id']}/reset_votes", headers=actor.headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    expected: dict[str, Any] = {"votes": 0}
    assert {name: changed[name] for name in expected} == expected
    assert changed["version"] == row["version"] + 1
    assert response.headers["etag"] == f'"{changed["version"]}"'
    assert (await client.get(f"{PATH}/{row['id']}", headers=actor.headers)).json() == changed
    assert_problem(
        await client.post(f"{PATH}/{MISSING_ID}/reset_votes", headers=actor.headers), 404
    )


async def test_who_may_reset_votes(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """Reset_votes someone else's row: without a token, and as a user without roles."""
    stranger = await make_user()
    # Two rows: a call that is let through changes the row the next caller gets.
    rows = [await factory.create_ticket(**{"votes": 1}) for _ in range(2)]
    assert_status(await client.post(f"{PATH}/{rows[0]['id']}/reset_votes"), 401)
    response = await client.post(f"{PATH}/{rows[-1]['id']}/reset_votes", headers=stranger.headers)
    assert_status(response, 404)


async def test_list_walks_every_page_once(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    ids = [(await factory.create_ticket())["id"] for _ in range(5)]
    first = await client.get(PATH, params={"limit": 2}, headers=actor.headers)
    assert len(first.json()["items"]) == 2
    assert first.json()["next_cursor"] is not None
    items = await list_all(client, PATH, actor.headers, limit=2)
    assert sorted(item["id"] for item in items) == sorted(ids)


async def test_a_page_costs_the_same_sql_statements_whatever_its_size(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sql_statements: list[str]
) -> None:
    """The same SQL statements for every page size: nothing is loaded row by row."""
    for _ in range(100):
        await factory.create_ticket()
    counts = []
    for size in (10, 50, 100):
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": size}, headers=actor.headers)
        assert len(response.json()["items"]) == size
        counts.append(len(sql_statements))
    assert len(set(counts)) == 1, f"statements per page of 10/50/100 rows: {counts}"


@pytest.mark.parametrize(
    "sort", ["created_at", "-created_at", "priority", "-priority", "id", "-id"]
)
async def test_sort(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sort: str
) -> None:
    for _ in range(3):
        await factory.create_ticket()
    items = await list_all(client, PATH, actor.headers, sort=sort, limit=2)
    key = sort.removeprefix("-")
    attribute = {"created_at": "created_at", "priority": "priority", "id": "id"}[key]
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
        ("status", "status", "eq"),
        ("status__in", "status", "in"),
        ("priority", "priority", "eq"),
        ("priority__gte", "priority", "gte"),
        ("priority__lte", "priority", "lte"),
    ],
)
async def test_filter(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, param: str, member: str, op: str
) -> None:
    rows = [await factory.create_ticket() for _ in range(3)]
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
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    rows = [await factory.create_ticket() for _ in range(3)]
    text = str(rows[0]["title"])
    query = text[len(text) // 4 : max(len(text) // 4 + 1, 3 * len(text) // 4)].swapcase()
    items = await list_all(client, PATH, actor.headers, q=query)
    assert rows[0]["id"] in {item["id"] for item in items}
    fields = ["title"]
    for item in items:
        assert any(query.lower() in str(item[name] or "").lower() for name in fields)
    assert await list_all(client, PATH, actor.headers, q="%_no such text_%") == []


async def test_list_rejects_bad_queries(client: AsyncClient, actor: AuthUser) -> None:
    await assert_bad_list_queries_rejected(client, PATH, actor.headers, page_max=100)


async def test_a_cursor_is_bound_to_its_sort_order(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    for _ in range(3):
        await factory.create_ticket()
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
        pytest.param("priority", 1, True, id="priority at min 1"),
        pytest.param("priority", 0, False, id="priority below min 1"),
        pytest.param("priority", 5, True, id="priority at max 5"),
        pytest.param("priority", 6, False, id="priority above max 5"),
        pytest.param("priority", 1.5, False, id="priority not an integer"),
        pytest.param("status", "not-a-valid-value", False, id="status not one of the enum values"),
        pytest.param("votes", 0, True, id="votes at min 0"),
        pytest.param("votes", -1, False, id="votes below min 0"),
        pytest.param("votes", 1.5, False, id="votes not an integer"),
        pytest.param("opened_on", "2030-02-30", False, id="opened_on impossible date"),
        pytest.param("due_on", "2030-02-30", False, id="due_on impossible date"),
        pytest.param(
            "estimate_hours", "12.55", False, id="estimate_hours with more than 1 decimal places"
        ),
        pytest.param(
            "estimate_hours", "100000.0", False, id="estimate_hours with more than 5 integer digits"
        ),
        pytest.param("title", "title-0\x00", False, id="title with a NUL"),
        pytest.param("body", "body-0\x00", False, id="body with a NUL"),
        pytest.param("internal_note", "internal_note-0\x00", False, id="internal_note with a NUL"),
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
    payload = await factory.ticket_payload(**{field: value})
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
        {"closed_at": None},
    ]
    for extra in server_owned:
        payload = await factory.ticket_payload(**extra)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    created = await factory.create_ticket()
    not_patchable: list[dict[str, Any]] = [
        {"no_such_field": 1},
        {"id": 1},
    ]
    for extra in not_patchable:
        response = await client.patch(f"{PATH}/{created['id']}", json=extra, headers=actor.headers)
        assert_problem(response, 422, next(iter(extra)))
    response = await client.patch(
        f"{PATH}/{created['id']}", json={"title": None}, headers=actor.headers
    )
    assert_problem(response, 422, "title")


@pytest.mark.parametrize("missing", ["title", "opened_on"])
async def test_required_fields(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, missing: str
) -> None:
    payload = await factory.ticket_payload()
    del payload[missing]
    assert_problem(await client.post(PATH, json=payload, headers=actor.headers), 422, missing)


async def test_malformed_json_is_a_400(client: AsyncClient, actor: AuthUser) -> None:
    await assert_malformed_json_rejected(client, PATH, actor.headers)


async def test_unknown_id_is_a_404(client: AsyncClient, actor: AuthUser) -> None:
    await assert_unknown_id_is_404(client, PATH, actor.headers)


async def test_anonymous_caller(client: AsyncClient, factory: HelpdeskFactory) -> None:
    """Without a token, each action gets the status its access rule gives."""
    row = await factory.create_ticket()
    url = f"{PATH}/{row['id']}"
    assert_status(await client.get(PATH), 401)
    payload = await factory.ticket_payload()
    del payload["internal_note"]  # only some callers may set it
    assert_status(await client.post(PATH, json=payload), 401)
    assert_status(await client.get(url), 401)
    assert_status(await client.patch(url, json={}, headers=if_match(row)), 401)
    row = (await client.get(url, headers=factory.headers)).json()
    assert_status(await client.delete(url, headers=if_match(row)), 401)


async def test_another_user_without_roles(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A signed-in user with no role, on a row someone else made."""
    stranger = await make_user()
    row = await factory.create_ticket()
    url = f"{PATH}/{row['id']}"
    listed = await client.get(PATH, headers=stranger.headers)
    assert_status(listed, 200)
    seen = {item["id"] for item in await list_all(client, PATH, stranger.headers)}
    assert (row["id"] in seen) is False
    payload = await factory.ticket_payload()
    del payload["internal_note"]  # only some users may set it
    assert_status(await client.post(PATH, json=payload, headers=stranger.headers), 201)
    assert_status(await client.get(url, headers=stranger.headers), 404)
    assert_status(
        await client.patch(url, json={}, headers={**stranger.headers, **if_match(row)}), 404
    )
    row = (await client.get(url, headers=factory.headers)).json()
    assert_status(await client.delete(url, headers={**stranger.headers, **if_match(row)}), 404)


async def test_another_tenant_never_reaches_a_ticket(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A user of another tenant, with every role the actor has: the row is not there."""
    row = await factory.create_ticket()
    url = f"{PATH}/{row['id']}"
    outsider = await make_user("admin", "agent", tenant="tenant-b")
    assert row["id"] not in {item["id"] for item in await list_all(client, PATH, outsider.headers)}
    assert_problem(await client.get(url, headers=outsider.headers), 404)
    assert_problem(
        await client.patch(url, json={}, headers={**outsider.headers, **if_match(row)}), 404
    )
    assert_problem(await client.delete(url, headers={**outsider.headers, **if_match(row)}), 404)
    assert_problem(await client.post(f"{url}/resolve", headers=outsider.headers), 404)
    assert_problem(await client.post(f"{url}/close", headers=outsider.headers), 404)
    assert_problem(await client.post(f"{url}/reset_votes", headers=outsider.headers), 404)
    # Rows of their own live apart.
    theirs = factory.as_user(outsider.headers)  # its parents of their own, or shared ones
    payload = await theirs.ticket_payload()
    created = await client.post(PATH, json=payload, headers=outsider.headers)
    assert created.status_code == 201, created.text
    assert created.json()["id"] not in {
        item["id"] for item in await list_all(client, PATH, factory.headers)
    }


async def test_a_user_of_no_tenant_is_refused_tickets(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    stray = await make_user("admin", "agent", tenant=None)
    assert_problem(await client.get(PATH, headers=stray.headers), 403)
    payload = await factory.ticket_payload()
    assert_problem(await client.post(PATH, json=payload, headers=stray.headers), 403)


async def test_internal_note_is_left_out_for_callers_its_read_rule_does_not_name(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """The owner, a user without roles, gets the row without `internal_note`: absent, not
    null."""
    hider = await make_user()
    headers = hider.headers
    payload = await factory.ticket_payload()
    del payload["internal_note"]  # only some users may set it
    created = await client.post(PATH, json=payload, headers=hider.headers)
    assert created.status_code == 201, created.text
    row = created.json()
    assert "internal_note" not in row
    read = await client.get(f"{PATH}/{row['id']}", headers=headers)
    assert read.status_code == 200, read.text
    assert read.json() == {k: v for k, v in row.items() if k != "internal_note"}
    listed = {item["id"]: item for item in await list_all(client, PATH, headers)}
    assert listed[row["id"]] == read.json()


async def test_only_callers_its_write_rule_names_may_send_internal_note(
    client: AsyncClient, make_user: MakeUser, factory: HelpdeskFactory
) -> None:
    """A 403 that changes nothing for sending `internal_note`: a user without roles
    creating a row; the owner, a user without roles, changing one."""
    creator = await make_user()
    payload = {**await factory.ticket_payload(), "internal_note": "internal_note-0"}
    assert_problem(await client.post(PATH, json=payload, headers=creator.headers), 403)
    updater = await make_user()
    payload = await factory.ticket_payload()
    del payload["internal_note"]  # only some users may set it
    created = await client.post(PATH, json=payload, headers=updater.headers)
    assert created.status_code == 201, created.text
    row = created.json()
    url = f"{PATH}/{row['id']}"
    change = {"internal_note": "internal_note-0"}
    assert_problem(
        await client.patch(url, json=change, headers={**updater.headers, **if_match(row)}), 403
    )
    unchanged = await client.get(url, headers=updater.headers)
    assert unchanged.json() == row


async def test_a_bad_token_is_a_401(client: AsyncClient) -> None:
    response = await client.get(PATH, headers={"Authorization": "Bearer not-a-token"})
    assert_problem(response, 401)


async def test_reply_count_follows_the_canned_reply_rows_pointing_at_it(
    client: AsyncClient, make_user: MakeUser, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    row = await factory.create_ticket()
    assert row["reply_count"] == 0
    linked = [await factory.create_canned_reply(ticket_id=row["id"]) for _ in range(3)]
    await factory.create_canned_reply()  # points elsewhere: not counted
    expected = len(linked)
    read = (await client.get(f"{PATH}/{row['id']}", headers=actor.headers)).json()
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    for seen in (read["reply_count"], listed[row["id"]]["reply_count"]):
        assert seen == expected


async def test_deleting_a_ticket_set_nulls_its_canned_reply_ticket_id(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    parent = await factory.create_ticket()
    child = await factory.create_canned_reply(ticket_id=parent["id"])
    response = await client.delete(
        f"{PATH}/{parent['id']}", headers={**actor.headers, **if_match(parent)}
    )
    child_url = f"/canned-replies/{child['id']}"
    assert response.status_code == 204
    assert (await client.get(child_url, headers=actor.headers)).json()["ticket_id"] is None


async def test_deleting_a_ticket_cascades_its_comment_ticket_id(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    parent = await factory.create_ticket()
    child = await factory.create_comment(ticket_id=parent["id"])
    response = await client.delete(
        f"{PATH}/{parent['id']}", headers={**actor.headers, **if_match(parent)}
    )
    child_url = f"/comments/{child['id']}"
    assert response.status_code == 204
    assert_problem(await client.get(child_url, headers=actor.headers), 404)


async def test_label_ids_are_set_read_and_replaced(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """Create and PATCH take label_ids; reads and lists return them in ascending order."""
    ids = sorted([(await factory.create_label())["id"] for _ in range(3)])
    payload = await factory.ticket_payload(label_ids=[ids[2], ids[0]])
    response = await client.post(PATH, json=payload, headers=actor.headers)
    assert response.status_code == 201, response.text
    row = response.json()
    assert row["label_ids"] == [ids[0], ids[2]]
    url = f"{PATH}/{row['id']}"
    assert (await client.get(url, headers=actor.headers)).json() == row
    listed = {item["id"]: item for item in await list_all(client, PATH, actor.headers)}
    assert listed[row["id"]]["label_ids"] == [ids[0], ids[2]]

    # A PATCH that sends them replaces the whole set; one that does not keeps it.
    replaced = await client.patch(
        url, json={"label_ids": [ids[1]]}, headers={**actor.headers, **if_match(row)}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["label_ids"] == [ids[1]]
    assert replaced.json()["updated_at"] > row["updated_at"]
    assert replaced.json()["version"] == row["version"] + 1
    assert_problem(
        await client.patch(
            url, json={"label_ids": ids}, headers={**actor.headers, **if_match(row)}
        ),
        412,
    )
    kept = await client.patch(url, json={}, headers={**actor.headers, **if_match(replaced.json())})
    assert kept.json()["label_ids"] == [ids[1]]
    emptied = await client.patch(
        url, json={"label_ids": []}, headers={**actor.headers, **if_match(kept.json())}
    )
    assert emptied.status_code == 200, emptied.text
    assert (await client.get(url, headers=actor.headers)).json()["label_ids"] == []
    null = await client.patch(
        url, json={"label_ids": None}, headers={**actor.headers, **if_match(emptied.json())}
    )
    assert_problem(null, 422, "label_ids")


async def test_label_ids_name_existing_rows_once_each(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    """A missing, repeated or invalid id is a 422 at its index, and nothing is written."""
    known = (await factory.create_label())["id"]
    before = len(await list_all(client, PATH, actor.headers))
    for ids, index in (([known, MISSING_ID], 1), ([known, known], 1), ([0, known], 0)):
        payload = await factory.ticket_payload(label_ids=ids)
        response = await client.post(PATH, json=payload, headers=actor.headers)
        assert_problem(response, 422)
        assert ["body", "label_ids", index] in [error["loc"] for error in response.json()["errors"]]
    assert len(await list_all(client, PATH, actor.headers)) == before

    row = await factory.create_ticket(label_ids=[known])
    url = f"{PATH}/{row['id']}"
    response = await client.patch(
        url, json={"label_ids": [MISSING_ID, known]}, headers={**actor.headers, **if_match(row)}
    )
    assert_problem(response, 422)
    assert response.json()["errors"][0]["loc"] == ["body", "label_ids", 0]
    assert (await client.get(url, headers=actor.headers)).json() == row


async def test_deleting_a_label_takes_it_out_of_label_ids(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    targets = [await factory.create_label() for _ in range(2)]
    row = await factory.create_ticket(label_ids=[target["id"] for target in targets])
    response = await client.delete(f"/labels/{targets[0]['id']}", headers=actor.headers)
    assert response.status_code == 204, response.text
    read = await client.get(f"{PATH}/{row['id']}", headers=actor.headers)
    assert read.json()["label_ids"] == [targets[1]["id"]]


async def test_deleting_a_ticket_deletes_its_label_ids_links(
    app: FastAPI, client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory
) -> None:
    target = await factory.create_label()
    row = await factory.create_ticket(label_ids=[target["id"]])
    links = (
        select(func.count())
        .select_from(ticket_labels)
        .where(ticket_labels.c.ticket_id == row["id"])
    )

    async def stored_links() -> int | None:
        async with app.state.engine.connect() as connection:
            count: int | None = await connection.scalar(links)
            return count

    assert await stored_links() == 1
    response = await client.delete(
        f"{PATH}/{row['id']}", headers={**actor.headers, **if_match(row)}
    )
    assert response.status_code == 204, response.text
    assert await stored_links() == 0
    assert (await client.get(f"/labels/{target['id']}", headers=actor.headers)).status_code == 200


async def test_a_page_of_tickets_reads_label_ids_in_a_fixed_number_of_statements(
    client: AsyncClient, actor: AuthUser, factory: HelpdeskFactory, sql_statements: list[str]
) -> None:
    """No query per row: a page of 10 and a page of 50 take as many statements."""
    targets = sorted([(await factory.create_label())["id"] for _ in range(2)])
    # Other rows may be listed too: the targets themselves, or parents made for them.
    linked = {(await factory.create_ticket(label_ids=targets))["id"] for _ in range(50)}

    async def statements_for(limit: int) -> int:
        sql_statements.clear()
        response = await client.get(PATH, params={"limit": limit}, headers=actor.headers)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == limit
        mine = [item for item in items if item["id"] in linked]
        assert all(item["label_ids"] == targets for item in mine)
        seen.update(item["id"] for item in mine)
        return len(sql_statements)

    seen: set[int] = set()
    small = await statements_for(10)
    large = await statements_for(50)
    assert small == large, sql_statements
    assert seen, "no page held a row linked here: the ids were never read"
