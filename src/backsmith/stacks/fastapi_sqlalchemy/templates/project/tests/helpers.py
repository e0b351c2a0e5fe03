"""Assertions shared by the generated API tests."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient, Response

from tests.conftest import AuthUser, MakeUser

Roles = tuple[str, ...] | None  # a caller's roles in the access matrices; None: no token


async def sign_in(make_user: MakeUser, roles: Roles) -> AuthUser | None:
    """A new user with these roles; None for a caller without a token."""
    return None if roles is None else await make_user(*roles)


def headers_of(caller: AuthUser | None) -> dict[str, str]:
    """The caller's bearer headers; none for a caller without a token."""
    return {} if caller is None else caller.headers


def order_key(kind: str, value: Any) -> tuple[bool, Any]:
    """How the database orders a JSON value of this kind; NULLs come last."""
    if value is None:
        return (True, 0)
    if kind == "decimal":
        return (False, Decimal(str(value)))
    return (False, value)


def if_match(row: dict[str, Any]) -> dict[str, str]:
    """The If-Match header naming a versioned row's current version (its ETag)."""
    return {"If-Match": f'"{row["version"]}"'}


def assert_problem(response: Response, status: int, field: str | None = None) -> None:
    """The response is a problem+json with this status (naming `field` for a 422)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    if field is not None:
        locations = [error["loc"] for error in body["errors"]]
        assert any(field in loc for loc in locations), locations


async def list_all(
    client: AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    """Every item of a list, walking its pages; fails on a repeated id."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "a row appeared on two pages"
    return items


def assert_status(response: Response, status: int) -> None:
    """The response has this status; an error status must also be a problem+json."""
    if status >= 400:
        assert_problem(response, status)
    else:
        assert response.status_code == status, response.text


async def assert_bad_list_queries_rejected(
    client: AsyncClient, path: str, headers: dict[str, str], *, page_max: int
) -> None:
    """A forged cursor, an unknown sort or filter, a limit out of range: each a 422."""
    cases: list[tuple[dict[str, Any], str]] = [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"sort": "no_such_key"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": page_max + 1}, "limit"),
        ({"no_such_filter": "x"}, "no_such_filter"),
    ]
    for params, name in cases:
        assert_problem(await client.get(path, params=params, headers=headers), 422, name)


async def assert_malformed_json_rejected(
    client: AsyncClient, path: str, headers: dict[str, str]
) -> None:
    response = await client.post(
        path, content=b"{", headers={**headers, "Content-Type": "application/json"}
    )
    assert_problem(response, 400)


async def assert_unknown_id_is_404(client: AsyncClient, path: str, headers: dict[str, str]) -> None:
    """Read, change and delete of an id no row has are 404; an id out of range is a 422."""
    missing = f"{path}/2147483647"
    assert_problem(await client.get(missing, headers=headers), 404)
    assert_problem(await client.patch(missing, json={}, headers=headers), 404)
    assert_problem(await client.delete(missing, headers=headers), 404)
    assert_problem(await client.get(f"{path}/0", headers=headers), 422)
