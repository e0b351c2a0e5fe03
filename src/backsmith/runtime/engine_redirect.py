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
"""

from __future__ import annotations

import importlib.util
import os
import runpy
import sys
from collections.abc import Callable
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


def redirect_engines(url: str) -> None:
    """From now on, every engine SQLAlchemy creates in this process connects to `url`."""
    from sqlalchemy.engine import create, make_url

    target = make_url(url)
    original: Callable[..., Any] = create.create_engine

    def create_engine(given: Any, *args: Any, **kwargs: Any) -> Any:
        asynchronous = bool(kwargs.get("_is_async"))
        source = make_url(given)
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


def main(url: str, script: str, *arguments: str) -> None:
    sys.path[0] = os.getcwd()  # the project, where `python -c` would have put it
    redirect_engines(url)
    sys.argv = [script, *arguments]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main(*sys.argv[1:])
