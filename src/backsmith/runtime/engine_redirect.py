"""Run a script with every SQLAlchemy engine it makes aimed at one scratch database.

`python engine_redirect.py URL SCRIPT [ARGUMENTS...]`, in the project (or its copy): runs
SCRIPT as `python SCRIPT ARGUMENTS...` would, except that any engine created meanwhile
(`create_engine`, `create_async_engine`, `engine_from_config`, SQLModel's, whatever URL the
project's code computed) connects to URL instead.

Why: backsmith hands a project's Alembic its scratch database through `sqlalchemy.url` and
the settings' URL variable, and most env.py files take one of them. Some build the URL
from parts instead (`POSTGRES_SERVER`, `POSTGRES_USER`, ... as the full-stack FastAPI
template does), so Alembic would have migrated the user's own database, or failed because
it is not running. With every engine aimed here, backsmith's migrations touch nothing but
its scratch database, whatever the project reads.

The project's driver is kept when it serves URL's database (`postgresql+psycopg` stays
psycopg); otherwise the engine gets the usual driver of URL's database for its kind
(async: aiosqlite, asyncpg; sync: pysqlite, psycopg), and connection arguments meant for
the other database are dropped.

`--beside-postgresql` (what `implement` asks for): URL is a SQLite file, unless the
project's own engine is PostgreSQL, whose migrations may well not run on SQLite (`ALTER
COLUMN ... TYPE`): then its engines get one new, empty database on the project's own
server instead, dropped when the script ends. The project's database itself is never
opened.
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

_ASYNC_DRIVERS = {"sqlite": ("aiosqlite",), "postgresql": ("asyncpg", "psycopg")}
_SYNC_DRIVERS = {"sqlite": ("pysqlite",), "postgresql": ("psycopg", "psycopg2", "pg8000")}
_MODULES = {"pysqlite": "sqlite3", "psycopg2": "psycopg2", "pg8000": "pg8000"}


def _installed_driver(backend: str, asynchronous: bool) -> str | None:
    choices = (_ASYNC_DRIVERS if asynchronous else _SYNC_DRIVERS).get(backend, ())
    for driver in choices:
        if importlib.util.find_spec(_MODULES.get(driver, driver)) is not None:
            return driver
    return choices[0] if choices else None


# Scratch databases made beside the project's own: (server URL, name), dropped at the end.
_made: list[tuple[str, str]] = []


def _database(server: str, name: str, action: str) -> None:
    """Create or drop database `name` on `server` (`scratch_database.py`, its own process,
    so no event loop of the project's is in the way)."""
    script = Path(__file__).with_name("scratch_database.py")
    done = subprocess.run(
        [sys.executable, str(script), server, name, action],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise RuntimeError(
            f"backsmith runs Alembic on a scratch database beside the project's own, and "
            f"could not {action} one on its server: {lines[-1] if lines else 'no output'}"
        )


def drop_scratch_databases() -> None:
    while _made:
        server, name = _made.pop()
        _database(server, name, "drop")


def redirect_engines(url: str, *, beside_postgresql: bool = False) -> None:
    """From now on, every engine SQLAlchemy creates in this process connects to `url`;
    with `beside_postgresql`, one the project makes for PostgreSQL to a scratch database
    on the same server instead."""
    from sqlalchemy.engine import create, make_url

    fallback = make_url(url)
    original: Callable[..., Any] = create.create_engine
    beside: dict[str, Any] = {}  # the project's server -> its scratch database's URL

    def create_engine(given: Any, *args: Any, **kwargs: Any) -> Any:
        asynchronous = bool(kwargs.get("_is_async"))
        source = make_url(given)
        target = fallback
        if beside_postgresql and source.get_backend_name() == "postgresql":
            server = source.set(database="postgres").render_as_string(hide_password=False)
            if server not in beside:
                name = f"backsmith_scratch_{uuid.uuid4().hex[:10]}"
                _database(server, name, "create")
                _made.append((server, name))
                beside[server] = source.set(database=name)
            target = beside[server]
        backend = target.get_backend_name()
        if source.get_backend_name() == backend:
            driver: str | None = source.get_driver_name()
        else:
            driver = _installed_driver(backend, asynchronous)
            kwargs.pop("connect_args", None)  # the other database's options
        aimed = target.set(drivername=f"{backend}+{driver}" if driver else backend)
        return original(aimed, *args, **kwargs)

    # Every name the function is known by in a module imported so far (`sqlalchemy`,
    # `sqlalchemy.engine`, the async engine's `_create_engine`, ...); modules imported later
    # take it from these.
    for module in list(sys.modules.values()):
        try:
            names = [name for name, value in vars(module).items() if value is original]
        except TypeError:  # a stand-in without a namespace of its own
            continue
        for name in names:
            setattr(module, name, create_engine)


def main(*argv: str) -> None:
    beside_postgresql = argv[0] == "--beside-postgresql"
    url, script, *arguments = argv[1:] if beside_postgresql else argv
    sys.path[0] = os.getcwd()  # the project, where `python -c` would have put it
    redirect_engines(url, beside_postgresql=beside_postgresql)
    sys.argv = [script, *arguments]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        sys.stdout.flush()
        drop_scratch_databases()


if __name__ == "__main__":
    main(*sys.argv[1:])
