"""The generated app under test: generate it, migrate it, give it a user and rows.

The clinic document (`documents/two_entities.md`) is generated into a scratch directory;
its Alembic migrations build the schema in the scratch database; `python -m app.cli`
creates the user; rows are loaded with asyncpg COPY (100 000 rows take about a second).
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from common import DOCUMENTS, PYTHON, ROOT, run_checked, sqlalchemy_url

DOCUMENT = DOCUMENTS / "two_entities.md"
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123"  # noqa: S105 - a scratch user in a scratch database
DOCTORS = 100
FIRST_STARTS_AT = datetime(2030, 1, 1, tzinfo=UTC)
CREATED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
STATUSES = ("scheduled", "done", "cancelled")


@dataclass
class Project:
    path: Path
    database: str

    @property
    def url(self) -> str:
        return sqlalchemy_url(self.database)


def generate(parent: Path, database: str) -> Project:
    run_checked(
        [PYTHON, "-m", "backsmith", "new", "demo", "-C", str(parent), "--feature", str(DOCUMENT)],
        cwd=ROOT,
        timeout=300,
    )
    return Project(parent / "demo", database)


def migrate(project: Project, env: dict[str, str]) -> None:
    run_checked([PYTHON, "-m", "alembic", "upgrade", "head"], cwd=project.path, env=env)


def create_user(project: Project, env: dict[str, str]) -> int:
    out = run_checked(
        [PYTHON, "-m", "app.cli", "create-user", EMAIL, PASSWORD], cwd=project.path, env=env
    )
    # "created user 1 <bench@example.com> with no roles"
    return int(out.split()[2])


def token(base_url: str) -> str:
    import httpx

    response = httpx.post(
        f"{base_url}/auth/token", data={"username": EMAIL, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


async def _seed(dsn: str, owner_id: int, rows: int, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute("TRUNCATE appointments, doctors RESTART IDENTITY CASCADE")
        await connection.copy_records_to_table(
            "doctors",
            columns=[
                "id",
                "name",
                "specialty",
                "license_no",
                "fee",
                "bio",
                "created_at",
                "updated_at",
            ],
            records=[
                (
                    i,
                    f"Doctor {i}",
                    ("general", "cardiology", "dermatology")[i % 3],
                    f"AB-{i:06d}",
                    Decimal(50 + i % 150) + Decimal("0.50"),
                    None if i % 2 else f"Doctor {i} has practised for {i % 30} years.",
                    CREATED_AT,
                    CREATED_AT,
                )
                for i in range(1, DOCTORS + 1)
            ],
        )
        # Appointment times are unique and shuffled: the sort order is not the id order.
        slots = list(range(rows))
        rng.shuffle(slots)
        await connection.copy_records_to_table(
            "appointments",
            columns=[
                "id",
                "owner_id",
                "starts_at",
                "minutes",
                "reason",
                "status",
                "doctor_id",
                "created_at",
                "updated_at",
            ],
            records=(
                (
                    i + 1,
                    owner_id,
                    FIRST_STARTS_AT + timedelta(minutes=15 * slots[i]),
                    (15, 30, 45, 60)[i % 4],
                    None if i % 3 == 0 else f"Check-up number {i} for a recurring complaint",
                    STATUSES[i % 3],
                    1 + i % DOCTORS,
                    CREATED_AT + timedelta(seconds=i),
                    CREATED_AT + timedelta(seconds=i),
                )
                for i in range(rows)
            ),
        )
        for table in ("doctors", "appointments"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE appointments")
        await connection.execute("VACUUM ANALYZE doctors")
    finally:
        await connection.close()


def seed(dsn: str, owner_id: int, rows: int, seed: int = 20261126) -> None:
    """Replace every doctor and appointment: `rows` appointments owned by `owner_id`."""
    asyncio.run(_seed(dsn, owner_id, rows, seed))


async def _trim(dsn: str, keep_up_to_id: int) -> int:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        status = await connection.execute("DELETE FROM appointments WHERE id > $1", keep_up_to_id)
        await connection.execute("VACUUM ANALYZE appointments")
        return int(status.split()[-1])
    finally:
        await connection.close()


def trim(dsn: str, keep_up_to_id: int) -> int:
    """Delete the rows a create scenario added, so every scenario sees the same table."""
    return asyncio.run(_trim(dsn, keep_up_to_id))


async def _nth_row(dsn: str, owner_id: int, n: int, sort: str) -> tuple[object, int]:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        if sort == "starts_at":
            row = await connection.fetchrow(
                "SELECT starts_at, id FROM appointments WHERE owner_id = $1 "
                "ORDER BY starts_at, id OFFSET $2 LIMIT 1",
                owner_id,
                n - 1,
            )
            return row["starts_at"], row["id"]
        row = await connection.fetchrow(
            "SELECT id FROM appointments WHERE owner_id = $1 ORDER BY id OFFSET $2 LIMIT 1",
            owner_id,
            n - 1,
        )
        return row["id"], row["id"]
    finally:
        await connection.close()


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value


def cursor_after_row(dsn: str, owner_id: int, n: int, sort: str) -> tuple[str, int]:
    """The cursor of the page that follows the `n`th row in `sort` order, and that row's id.

    The format is the generated `app/core/pagination.py`'s: URL-safe base64, without
    padding, of the JSON `[sort key, last row's sort value, last row's id]`.
    """
    value, row_id = asyncio.run(_nth_row(dsn, owner_id, n, sort))
    raw = json.dumps([sort, _json_value(value), row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="), row_id


async def _sessions(dsn: str, database: str) -> int:
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        await connection.execute("SELECT pg_stat_clear_snapshot()")
        return int(
            await connection.fetchval(
                "SELECT sessions FROM pg_stat_database WHERE datname = $1", database
            )
        )
    finally:
        await connection.close()


def sessions(dsn: str, database: str) -> int:
    """How many connections the database has accepted so far (PostgreSQL 14+)."""
    return asyncio.run(_sessions(dsn, database))
