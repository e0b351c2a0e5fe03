"""Assertions shared by the generated API tests."""

from decimal import Decimal
from typing import Any

from httpx import AsyncClient, Response


def order_key(kind: str, value: Any) -> tuple[bool, Any]:
    """How the database orders a JSON value of this kind; NULLs come last."""
    if value is None:
        return (True, 0)
    if kind == "decimal":
        return (False, Decimal(str(value)))
    return (False, value)


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
