"""Query cost of the generated app, in process, through httpx's ASGITransport.

Run from the generated project's directory (so that `app` is importable):

    python bench/inprocess.py counts --token T [--sizes 10 50 100]
    python bench/inprocess.py explain --token T --cursor C [--sort starts_at]

`counts` counts SQL statements per request with a SQLAlchemy `before_cursor_execute`
listener on the app's engine, and, beside them, every call the asyncpg driver makes to the
server (BEGIN, COMMIT, ROLLBACK, the pool's pre-ping, prepares, fetches), which are round
trips the statement count does not see. `explain` captures the SQL and parameters of a
first and a deep list page and runs EXPLAIN (ANALYZE, BUFFERS) on them.

Prints one JSON document on stdout. DATABASE_URL and SECRET_KEY come from the environment.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

MEASURED = 5  # requests measured per case, after one warm-up request


class DriverCalls:
    """Counts asyncpg calls that go to the server, by method and query text."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.enabled = False

    def wrap(self, owner: type, name: str, query_of: Callable[..., str]) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        async def counted(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if self.enabled:
                self.calls.append(f"{name}: {' '.join(query_of(obj, *args).split())[:70]}")
            return await original(obj, *args, **kwargs)

        setattr(owner, name, counted)

    def install(self) -> None:
        from asyncpg.connection import Connection
        from asyncpg.prepared_stmt import PreparedStatement

        for name in ("execute", "fetch", "fetchrow", "fetchval", "executemany", "prepare"):
            self.wrap(Connection, name, lambda _c, query="", *_a: str(query))
        for name in ("fetch", "fetchrow", "fetchval", "executemany"):
            self.wrap(PreparedStatement, name, lambda s, *_a: "(prepared) " + s.get_query())


def build_app() -> Any:
    sys.path.insert(0, os.getcwd())  # the generated project's directory
    from app.core.config import Settings
    from app.main import create_app

    return create_app(Settings(database_url=os.environ["DATABASE_URL"]))


async def counts(args: argparse.Namespace) -> dict[str, Any]:
    driver = DriverCalls()
    driver.install()
    app = build_app()
    engine = app.state.engine
    statements: list[str] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    headers = {"Authorization": f"Bearer {args.token}"}
    transport = httpx.ASGITransport(app=app)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as client:

        async def measure(label: str, send: Callable[[int], Any]) -> None:
            await send(-1)  # warm-up: connects, prepares, fills caches
            per_request, per_request_driver = [], []
            sample: list[str] = []
            sample_driver: list[str] = []
            for i in range(MEASURED):
                statements.clear()
                driver.calls.clear()
                driver.enabled = True
                response = await send(i)
                driver.enabled = False
                if response.status_code >= 400:
                    raise RuntimeError(f"{label}: {response.status_code} {response.text[:300]}")
                per_request.append(len(statements))
                per_request_driver.append(len(driver.calls))
                sample, sample_driver = list(statements), list(driver.calls)
            results[label] = {
                "statements_per_request": per_request,
                "driver_calls_per_request": per_request_driver,
                "statements": [s[:600] for s in sample],
                "driver_calls": sample_driver,
            }

        for size in args.sizes:

            async def page(_i: int, size: int = size) -> httpx.Response:
                response = await client.get(f"/appointments?limit={size}")
                items = response.json()["items"]
                if len(items) != size:
                    raise RuntimeError(f"expected a page of {size}, got {len(items)}")
                return response

            await measure(f"list_{size}", page)

        first = await client.get("/appointments?limit=20")
        cursor = first.json()["next_cursor"]

        async def second_page(_i: int) -> httpx.Response:
            return await client.get("/appointments", params={"limit": 20, "cursor": cursor})

        await measure("list_20_next_page", second_page)

        async def read(i: int) -> httpx.Response:
            return await client.get(f"/appointments/{i + 2}")

        await measure("read", read)

        # A (doctor, starts_at) no other run used: microseconds since the epoch, in 2099.
        unique_base = datetime(2099, 1, 1, tzinfo=UTC) + timedelta(
            microseconds=time.time_ns() // 1000 % 10**14
        )

        async def create(i: int) -> httpx.Response:
            body = {
                "starts_at": (unique_base + timedelta(seconds=i + 1)).isoformat(),
                "doctor_id": 1,
                "reason": "counted by the benchmark",
            }
            return await client.post("/appointments", json=body)

        await measure("create", create)
    await engine.dispose()
    return results


async def explain(args: argparse.Namespace) -> dict[str, Any]:
    app = build_app()
    engine = app.state.engine
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_a: Any) -> None:
        if "FROM appointments" in statement:
            captured.append((statement, parameters))

    headers = {"Authorization": f"Bearer {args.token}"}
    transport = httpx.ASGITransport(app=app)
    queries: dict[str, tuple[str, Any]] = {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bench", headers=headers
    ) as client:
        for label, params in (
            ("first", {"limit": 20, "sort": args.sort}),
            ("deep", {"limit": 20, "sort": args.sort, "cursor": args.cursor}),
        ):
            captured.clear()
            response = await client.get("/appointments", params=params)
            response.raise_for_status()
            queries[label] = captured[-1]
    await engine.dispose()

    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    connection = await asyncpg.connect(dsn, timeout=10)
    plans: dict[str, Any] = {}
    try:
        for label, (statement, parameters) in queries.items():
            rows = await connection.fetch(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, *parameters
            )
            plans[label] = {
                "sql": " ".join(statement.split()),
                "parameters": [str(p) for p in parameters],
                "plan": [row[0] for row in rows],
            }
    finally:
        await connection.close()
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    count_parser = commands.add_parser("counts")
    count_parser.add_argument("--token", required=True)
    count_parser.add_argument("--sizes", type=int, nargs="+", default=[10, 50, 100])
    explain_parser = commands.add_parser("explain")
    explain_parser.add_argument("--token", required=True)
    explain_parser.add_argument("--cursor", required=True)
    explain_parser.add_argument("--sort", default="starts_at")
    args = parser.parse_args()
    run = counts if args.command == "counts" else explain
    print(json.dumps(asyncio.run(run(args)), default=str))


if __name__ == "__main__":
    main()
