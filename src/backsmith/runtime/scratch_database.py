"""Create or drop a scratch PostgreSQL database, in the project's interpreter (its drivers).

`python scratch_database.py SERVER_URL NAME create|drop`: connects to the server's
`postgres` database, async or sync as the URL's driver is, and runs the statement there.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import TextClause, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine


def statement(name: str, action: str) -> TextClause:
    if action == "create":
        return text(f'CREATE DATABASE "{name}"')
    return text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_async(server: URL, sql: TextClause) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(sql)
    await engine.dispose()


def main(url: str, name: str, action: str) -> None:
    server = make_url(url).set(database="postgres")
    sql = statement(name, action)
    if server.get_dialect().is_async:
        asyncio.run(run_async(server, sql))
        return
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sql)
    engine.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:4])
