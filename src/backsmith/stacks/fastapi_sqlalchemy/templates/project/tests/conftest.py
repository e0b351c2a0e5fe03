"""Test fixtures: a real database per run, built by Alembic, emptied after each test.

`DATABASE_URL` chooses the server: a SQLite file by default; with a PostgreSQL URL, a
scratch database is created on that server for the run and dropped afterwards. Tests
talk to the app through HTTP (httpx) exactly as clients do; requests commit for real,
so each test ends by deleting every row (isolation without savepoint tricks, and the
same behaviour on every database).
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from app.auth.models import User
from app.core.config import Settings
from app.core.security import create_access_token, hash_password
from app.main import connect_database, create_app
from app.models import Base

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_PASSWORD = "correct horse battery staple"
TEST_TENANT = "tenant-a"  # every test user's tenant, unless a test asks for another


async def _create_database(server_url: str, name: str, *, drop: bool = False) -> None:
    admin_url = make_url(server_url).set(database="postgres")
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            if drop:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            else:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database for this test run."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(configured, name))
    try:
        yield make_url(configured).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_create_database(configured, name, drop=True))


@pytest.fixture(scope="session")
def migrated_url(database_url: str) -> str:
    """The test database with every migration applied, as in production."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    return database_url


@pytest.fixture(scope="session")
def built_app(migrated_url: str) -> FastAPI:
    """The app, built once: FastAPI prepares a route's validation when the route first
    serves, which an app made per test would pay again in every test."""
    return create_app(Settings(database_url=migrated_url, environment="test"))


@pytest.fixture
async def app(built_app: FastAPI, migrated_url: str) -> AsyncIterator[FastAPI]:
    connect_database(built_app, migrated_url)
    try:
        yield built_app
    finally:
        await _empty_every_table(built_app.state.engine)
        await built_app.state.engine.dispose()


async def _empty_every_table(engine: AsyncEngine) -> None:
    """Delete every row, whatever points at what (self-references, RESTRICT and tables that
    point at each other included): the order does not matter, so it is not asked for (a
    cycle of foreign keys has none, and SQLAlchemy warns)."""
    tables = list(Base.metadata.tables.values())
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            await connection.commit()
            return
        # SQLite checks RESTRICT row by row, even within one DELETE: switch the checks off
        # (outside a transaction, where SQLite allows it) and back on afterwards.
        await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        for table in tables:
            await connection.execute(table.delete())
        await connection.commit()
        await connection.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def sql_statements(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the app sends to the database, in order; tests clear it."""
    statements: list[str] = []

    def record(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
async def session(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session for arranging and checking rows directly."""
    async with app.state.sessionmaker() as db_session:
        yield db_session


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Argon2 is slow on purpose; hash the shared test password once per run.
    return hash_password(TEST_PASSWORD)


@dataclass(frozen=True)
class AuthUser:
    id: int
    email: str
    roles: tuple[str, ...]
    headers: dict[str, str]


MakeUser = Callable[..., Awaitable[AuthUser]]


@pytest.fixture
def make_user(app: FastAPI, password_hash: str) -> MakeUser:
    """Create a user with the given roles, in the tests' tenant unless told otherwise;
    returns its id and bearer headers."""
    counter = 0

    async def make(*roles: str, tenant: str | None = TEST_TENANT) -> AuthUser:
        nonlocal counter
        counter += 1
        email = f"user{counter}@example.com"
        async with app.state.sessionmaker() as db_session:
            user = User(
                email=email, hashed_password=password_hash, roles=sorted(roles), tenant=tenant
            )
            db_session.add(user)
            await db_session.commit()
        token = create_access_token(user.id, app.state.settings)
        headers = {"Authorization": f"Bearer {token}"}
        return AuthUser(id=user.id, email=email, roles=tuple(roles), headers=headers)

    return make


@pytest.fixture
async def user(make_user: MakeUser) -> AuthUser:
    return await make_user()


@pytest.fixture
async def other_user(make_user: MakeUser) -> AuthUser:
    return await make_user()


@pytest.fixture
async def admin(make_user: MakeUser) -> AuthUser:
    return await make_user("admin")
