"""The auth contract: register, token, me, and how bad credentials are answered."""

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.cli import main as cli_main
from app.core.config import get_settings
from app.core.security import create_access_token, decode_access_token
from tests.conftest import TEST_PASSWORD, AuthUser

async def register(client: AsyncClient, email: str, password: str = TEST_PASSWORD) -> int:
    response = await client.post("/auth/register", json={"email": email, "password": password})
    return response.status_code


async def login(client: AsyncClient, email: str, password: str = TEST_PASSWORD) -> str:
    response = await client.post("/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    return str(body["access_token"])


async def test_register_login_and_me(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/register", json={"email": "Ada@Example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == "ada@example.com"
    assert created["roles"] == []
    assert created["tenant"] is None  # only an administrator puts an account in a tenant
    assert "password" not in response.text

    token = await login(client, "ada@example.com")
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["id"] == created["id"]
    assert me.json()["email"] == "ada@example.com"


async def test_register_twice_is_a_conflict(client: AsyncClient) -> None:
    assert await register(client, "bob@example.com") == 201
    response = await client.post(
        "/auth/register", json={"email": "BOB@example.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 409


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": TEST_PASSWORD},
        {"email": "carol@example.com", "password": "short"},
        {"email": "carol@example.com", "password": TEST_PASSWORD, "roles": ["admin"]},
        {"email": "carol@example.com"},
    ],
)
async def test_register_rejects_invalid_bodies(client: AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"], problem
    assert all({"loc", "msg", "type"} <= set(error) for error in problem["errors"])


async def test_malformed_json_is_a_400(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/register", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_wrong_password_and_unknown_email_are_both_401(client: AsyncClient) -> None:
    assert await register(client, "dan@example.com") == 201
    for email, password in [("dan@example.com", "wrong password"), ("nobody@example.com", "x")]:
        response = await client.post("/auth/token", data={"username": email, "password": password})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_me_without_or_with_a_bad_token_is_401(client: AsyncClient, app: FastAPI) -> None:
    response = await client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    for token in ["garbage", create_access_token(999_999, app.state.settings)]:
        response = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


async def test_token_round_trip(app: FastAPI) -> None:
    token = create_access_token(42, app.state.settings)
    assert decode_access_token(token, app.state.settings) == 42
    assert decode_access_token(token + "x", app.state.settings) is None


async def test_roles_come_from_the_account(client: AsyncClient, admin: AuthUser) -> None:
    me = await client.get("/auth/me", headers=admin.headers)
    assert me.json()["roles"] == ["admin"]


async def test_unknown_route_is_a_problem(client: AsyncClient) -> None:
    response = await client.get("/no-such-route")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_cli_creates_a_user_with_roles_in_a_tenant(
    client: AsyncClient,
    migrated_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    try:
        argv = ["create-user", "root@example.com", TEST_PASSWORD, "--role", "admin"]
        assert await asyncio.to_thread(cli_main, [*argv, "--tenant", "acme"]) == 0
        assert "with admin, in tenant acme" in capsys.readouterr().out
        assert await asyncio.to_thread(cli_main, argv[:3]) == 1
        assert "already exists" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    token = await login(client, "root@example.com")
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["roles"] == ["admin"]
    assert me.json()["tenant"] == "acme"


def test_cli_refuses_a_bad_tenant_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main(["create-user", "x@example.com", TEST_PASSWORD, "--tenant", "no spaces"])
    assert "invalid tenant 'no spaces'" in capsys.readouterr().err
