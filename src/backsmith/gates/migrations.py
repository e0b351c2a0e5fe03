"""The migrations gate: a round trip on scratch databases, then a drift check.

On a scratch SQLite file, and on a scratch database of a PostgreSQL server when one is
named (`--database-url`, or a PostgreSQL `DATABASE_URL` or `POSTGRES_*` parts in the
environment or the project's `.env`): `alembic upgrade head`, `downgrade base`, `upgrade
head` again, then `alembic check`, which fails when the models and the migrations
disagree. A project that runs on PostgreSQL alone (its database_driver) is checked there
only: its migrations may use what SQLite lacks.

The project's Alembic is pointed at the scratch database both ways a project reads its
URL (`database.py`): the environment variable of its settings, and `sqlalchemy.url`, as
its own tests set it. A first upgrade that leaves the scratch SQLite file untouched means
the project reads its URL from somewhere else: the gate stops there rather than migrate
a database it does not own.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from backsmith import runtime
from backsmith.gates.database import database_env, project_url, sqlite_url
from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail
from backsmith.migrations import repository_folders
from backsmith.tool_output import exception_line

STEPS = (("upgrade", "head"), ("downgrade", "base"), ("upgrade", "head"), ("check",))


# DBAPI drivers of PostgreSQL: a project whose database_driver names only these runs on
# PostgreSQL, and its migrations may use what SQLite lacks (`ALTER COLUMN ... TYPE`).
POSTGRESQL_DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg2-binary", "asyncpg", "pg8000"})


def _env_values(context: GateContext) -> list[dict[str, str]]:
    """The environment, then the `.env` of the project and of each folder above it in its
    repository (a `backend/` reads `../.env`), as KEY=VALUE maps, nearest first."""
    found: list[dict[str, str]] = [dict(os.environ)]
    for folder in repository_folders(context.root.resolve()):
        env_file = folder / ".env"
        if env_file.is_file():
            values = {}
            for line in env_file.read_text(encoding="utf-8").splitlines():
                key, sep, value = line.strip().removeprefix("export ").partition("=")
                if sep and not key.startswith("#"):
                    values[key.strip()] = value.strip().strip("\"'")
            found.append(values)
    return found


def postgres_server(context: GateContext) -> str | None:
    """The PostgreSQL server to check on, if the run or the project names one: a
    PostgreSQL `DATABASE_URL`, or the `POSTGRES_SERVER`/`POSTGRES_HOST`, `POSTGRES_PORT`,
    `POSTGRES_USER` and `POSTGRES_PASSWORD` parts (as the official image and the FastAPI
    full-stack template name them). The gate makes its own database there."""
    if context.database_url:
        return context.database_url
    for values in _env_values(context):
        url = values.get("DATABASE_URL", "")
        if url.startswith("postgresql"):
            return url
        host = values.get("POSTGRES_SERVER") or values.get("POSTGRES_HOST")
        if host:
            user = quote(values.get("POSTGRES_USER", "postgres"), safe="")
            password = values.get("POSTGRES_PASSWORD")
            secret = f":{quote(password, safe='')}" if password else ""
            return (
                f"postgresql://{user}{secret}@{host}:{values.get('POSTGRES_PORT', '5432')}/postgres"
            )
    return None


def postgresql_only(context: GateContext) -> bool:
    drivers = {d.strip() for d in (context.profile.value("database_driver") or "").split(",")}
    drivers.discard("")
    return bool(drivers) and drivers <= POSTGRESQL_DRIVERS


def _with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead (query options kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _alembic(
    context: GateContext, url: str, step: tuple[str, ...]
) -> subprocess.CompletedProcess[str]:
    env = {
        **database_env(context.profile, url),
        "PYTHONDONTWRITEBYTECODE": "1",
        # Where the project keeps its Alembic configuration (alembic.ini, src/alembic.ini).
        "BACKSMITH_ALEMBIC_CONFIG": context.profile.value("alembic_config") or "alembic.ini",
    }
    # Every engine aimed at `url`, also where env.py builds its own URL from settings.
    redirect = [runtime.script("engine_redirect"), url]
    return context.run(
        ["python", *redirect, runtime.script("alembic_command"), url, *step], env=env
    )


def _round_trip(
    context: GateContext, url: str, label: str, proof: Path | None = None
) -> list[Failure]:
    """The round trip on `url`; `proof` is the SQLite file the first upgrade must create."""
    for step in STEPS:
        completed = _alembic(context, url, step)
        output = completed.stdout + completed.stderr
        if completed.returncode == 0 and proof is not None and not proof.exists():
            return [
                Failure(
                    message="Alembic did not migrate the scratch database: the project reads "
                    "its database URL from somewhere backsmith did not find",
                    location="alembic upgrade head",
                    detail="backsmith sets `sqlalchemy.url` and the settings' URL variable "
                    f"({', '.join(database_env(context.profile, url)) or 'none found'}); "
                    "make env.py read one of them",
                )
            ]
        proof = None
        if completed.returncode == 0:
            continue
        command = "alembic " + " ".join(step)
        if step == ("check",):
            detected = [
                line.strip()
                for line in output.splitlines()
                if "Detected" in line or "New upgrade operations" in line
            ]
            return [
                Failure(
                    message=f"models and migrations differ on {label}: a model changed "
                    "without a migration (run `alembic revision --autogenerate`)",
                    location=command,
                    detail="\n".join(detected) or tail(output),
                )
            ]
        return [
            Failure(
                message=f"`{command}` failed on {label}: {exception_line(output)}",
                location=command,
                detail=tail(output),
            )
        ]
    return []


class ScratchDatabaseError(Exception):
    """The scratch PostgreSQL database could not be created; the message is the reason."""


@contextmanager
def scratch_postgres(context: GateContext, server: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on `server`, dropped when the block ends.

    Created and dropped in the project's interpreter, with its own driver
    (`runtime/scratch_database.py`).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = runtime.script("scratch_database")
    created = context.run(["python", admin, server, name, "create"])
    if created.returncode != 0:
        raise ScratchDatabaseError(tail(created.stderr or created.stdout))
    try:
        yield _with_database(server, name)
    finally:
        context.run(["python", admin, server, name, "drop"])


def migrations_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    if context.profile.value("migrations") == "none":
        return GateResult(
            name="migrations",
            status=Status.SKIPPED,
            summary="skipped: the project has no Alembic migrations (no alembic.ini with a "
            "script_location), so there is no round trip or drift to check",
        )
    if not (context.root / "alembic.ini").is_file():
        return GateResult(
            name="migrations",
            status=Status.ERROR,
            summary="no alembic.ini",
            failures=[Failure(message="the project has no alembic.ini")],
        )
    server = postgres_server(context)
    failures: list[Failure] = []
    databases: list[str] = []
    if not postgresql_only(context):
        sqlite = Path(context.scratch) / "migrations.db"
        failures += _round_trip(context, sqlite_url(context.profile, sqlite), "SQLite", sqlite)
        databases.append("sqlite")
    elif server is None:
        driver = context.profile.facts["database_driver"]
        return GateResult(
            name="migrations",
            status=Status.SKIPPED,
            duration_s=time.perf_counter() - started,
            summary=f"skipped: the project runs on PostgreSQL (database_driver "
            f"{driver.value}: {driver.evidence}), and no PostgreSQL server is named to make "
            "a scratch database on: pass --database-url, or set POSTGRES_SERVER (and "
            "POSTGRES_USER, POSTGRES_PASSWORD) in the environment or .env",
        )
    if server is not None:
        databases.append("postgresql")
        try:
            with scratch_postgres(
                context, project_url(context.profile, server), "backsmith_gate"
            ) as url:
                failures += _round_trip(context, project_url(context.profile, url), "PostgreSQL")
        except ScratchDatabaseError as error:
            failures.append(
                Failure(message="could not create a scratch PostgreSQL database", detail=str(error))
            )
    return GateResult(
        name="migrations",
        status=Status.FAILED if failures else Status.PASSED,
        duration_s=time.perf_counter() - started,
        summary=("round trip and drift check passed on " + " and ".join(databases))
        if not failures
        else failures[0].message,
        figures={"databases": ", ".join(databases)},
        failures=failures,
    )
