"""The hand-written baseline: a minimal FastAPI app over raw asyncpg.

It serves the three routes the throughput benchmark calls on the generated clinic app,
with the same JSON and the same authentication work, written the way a careful engineer
would write them by hand without an ORM:

    GET  /appointments?limit=&cursor=   a keyset page, {"items": [...], "next_cursor": ...}
    GET  /appointments/{id}             one appointment, or a 404 problem
    POST /appointments                  create (201, Location header), 409/422 from constraints

Authentication is what the generated app does: verify the bearer JWT with PyJWT (same
secret, algorithm and required claims), load the user by id, refuse an inactive one. A
caller sees only the appointments they own, unless they have the `admin` role.

Run it with `DATABASE_URL=postgresql://... SECRET_KEY=... uvicorn baseline_app:app`.
The pool has as many connections as the generated app's SQLAlchemy pool (5 + 10 overflow).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import asyncpg
import jwt
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

DEVELOPMENT_SECRET = "development-only-secret-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET)
JWT_ALGORITHM = os.environ.get("JWT_ALGORITHM", "HS256")
MAX_ID = 2**31 - 1
DEFAULT_LIMIT, MAX_LIMIT = 20, 100

COLUMNS = "id, owner_id, starts_at, minutes, reason, status, doctor_id, created_at, updated_at"
# Fixed text, no input in it.
INSERT_QUERY = (
    "INSERT INTO appointments (owner_id, starts_at, minutes, reason, status, doctor_id, "  # noqa: S608
    f"created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
)
USER_QUERY = (
    "SELECT id, email, hashed_password, roles, is_active, created_at, updated_at "
    "FROM users WHERE id = $1"
)


def _dsn() -> str:
    url = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(_dsn(), min_size=5, max_size=15)
    try:
        yield
    finally:
        await app.state.pool.close()


app = FastAPI(title="baseline", lifespan=lifespan)


# --- JSON, as Pydantic writes it --------------------------------------------------------


def _iso(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _appointment(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["id"],
        "owner_id": row["owner_id"],
        "starts_at": _iso(row["starts_at"]),
        "minutes": row["minutes"],
        "reason": row["reason"],
        "status": row["status"],
        "doctor_id": row["doctor_id"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type="application/json", headers=headers)


def _problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    content = json.dumps(body, separators=(",", ":")).encode()
    return Response(
        content, status_code=status, media_type="application/problem+json", headers=headers
    )


@app.exception_handler(RequestValidationError)
async def _validation_problem(_request: Request, error: RequestValidationError) -> Response:
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in error.errors()]
    return _problem(422, "Unprocessable Content", "The request is invalid.", errors=errors)


# --- Authentication: the same work as the generated app ---------------------------------


class Unauthenticated(Exception):
    pass


async def _caller(request: Request, connection: asyncpg.Connection) -> asyncpg.Record:
    header = request.headers.get("authorization")
    scheme, _, token = (header or "").partition(" ")
    if not header or scheme.lower() != "bearer":
        raise Unauthenticated("Authentication required.")
    try:
        claims = jwt.decode(
            token, SECRET_KEY, algorithms=[JWT_ALGORITHM], options={"require": ["exp", "sub"]}
        )
        user_id = int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        raise Unauthenticated("The access token is invalid or expired.") from None
    user = await connection.fetchrow(USER_QUERY, user_id) if -(2**31) <= user_id <= MAX_ID else None
    if user is None or not user["is_active"]:
        raise Unauthenticated("The access token is invalid or expired.")
    return user


def _sees_all(user: asyncpg.Record) -> bool:
    return "admin" in json.loads(user["roles"])


# --- Keyset cursor: the generated app's format -----------------------------------------


def _encode_cursor(starts_at: datetime, row_id: int) -> str:
    raw = json.dumps(["starts_at", _iso(starts_at), row_id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if key != "starts_at" or not isinstance(row_id, int) or not -(2**31) <= row_id <= MAX_ID:
            return None
        return datetime.fromisoformat(value).astimezone(UTC), row_id
    except (ValueError, TypeError, binascii.Error):
        return None


# --- Routes ---------------------------------------------------------------------------


@app.get("/appointments")
async def list_appointments(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=1000)] = None,
) -> Response:
    after = None
    if cursor is not None and (after := _decode_cursor(cursor)) is None:
        return _problem(422, "Unprocessable Content", "Malformed cursor.")
    async with request.app.state.pool.acquire() as connection:
        try:
            user = await _caller(request, connection)
        except Unauthenticated as error:
            return _problem(401, "Unauthorized", str(error))
        conditions, arguments = [], []
        if not _sees_all(user):
            arguments.append(user["id"])
            conditions.append(f"owner_id = ${len(arguments)}")
        if after is not None:
            arguments.extend(after)
            conditions.append(f"(starts_at, id) > (${len(arguments) - 1}, ${len(arguments)})")
        arguments.append(limit + 1)
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rows = await connection.fetch(
            f"SELECT {COLUMNS} FROM appointments {where}"  # noqa: S608 - fixed fragments
            f"ORDER BY starts_at ASC NULLS LAST, id ASC LIMIT ${len(arguments)}",
            *arguments,
        )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = _encode_cursor(rows[-1]["starts_at"], rows[-1]["id"])
    return _json({"items": [_appointment(row) for row in rows], "next_cursor": next_cursor})


@app.get("/appointments/{appointment_id}")
async def get_appointment(
    request: Request, appointment_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    async with request.app.state.pool.acquire() as connection:
        try:
            user = await _caller(request, connection)
        except Unauthenticated as error:
            return _problem(401, "Unauthorized", str(error))
        if _sees_all(user):
            row = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM appointments WHERE id = $1",  # noqa: S608
                appointment_id,
            )
        else:
            row = await connection.fetchrow(
                f"SELECT {COLUMNS} FROM appointments WHERE owner_id = $1 AND id = $2",  # noqa: S608
                user["id"],
                appointment_id,
            )
    if row is None:
        return _problem(404, "Not Found", f"Appointment {appointment_id} not found")
    return _json(_appointment(row))


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    CANCELLED = "cancelled"


class AppointmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: Annotated[datetime, AfterValidator(_as_utc)]
    minutes: Annotated[int, Field(ge=10, le=240)] = 30
    reason: Annotated[str, Field(max_length=500, pattern=r"^[^\x00]*$")] | None = None
    status: AppointmentStatus = AppointmentStatus.SCHEDULED
    doctor_id: Annotated[int, Field(ge=1, le=MAX_ID)]


@app.post("/appointments", status_code=201)
async def create_appointment(request: Request, data: AppointmentCreate) -> Response:
    now = datetime.now(UTC)
    async with request.app.state.pool.acquire() as connection:
        try:
            user = await _caller(request, connection)
        except Unauthenticated as error:
            return _problem(401, "Unauthorized", str(error))
        try:
            row = await connection.fetchrow(
                INSERT_QUERY,
                user["id"],
                data.starts_at,
                data.minutes,
                data.reason,
                data.status.value,
                data.doctor_id,
                now,
            )
        except asyncpg.ForeignKeyViolationError:
            return _problem(
                422,
                "Unprocessable Content",
                "The request is invalid.",
                errors=[
                    {
                        "loc": ["body", "doctor_id"],
                        "msg": f"Doctor {data.doctor_id} does not exist.",
                        "type": "foreign_key",
                    }
                ],
            )
        except asyncpg.UniqueViolationError:
            return _problem(
                409,
                "Conflict",
                "A appointment with the same doctor, starts_at already exists.",
            )
    location = str(request.url_for("get_appointment", appointment_id=row["id"]))
    return _json(_appointment(row), status=201, headers={"Location": location})


@app.get("/health")
async def health() -> JSONResponse:
    return JSONResponse({"ok": True})
