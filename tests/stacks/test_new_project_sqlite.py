"""How a new project talks to its embedded default database, SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Run in the project: opens its engine on a file, as the app and its tests do.
PRAGMAS = """\
import asyncio, json, sys
from sqlalchemy import text
from app.core.db import create_engine

async def main() -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{sys.argv[1]}")
    async with engine.connect() as connection:
        names = ("journal_mode", "synchronous", "foreign_keys")
        found = {n: (await connection.execute(text(f"PRAGMA {n}"))).scalar() for n in names}
    await engine.dispose()
    print(json.dumps(found))

asyncio.run(main())
"""


def test_the_database_file_keeps_a_write_ahead_log_and_checks_foreign_keys(
    tmp_path: Path,
) -> None:
    """WAL: readers do not wait for a writer, and a commit is not flushed to disk by
    itself (synchronous NORMAL, 1); and SQLite enforces foreign keys only when asked."""
    subprocess.run(
        [sys.executable, "-m", "backsmith", "new", "demo", "-C", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    project = tmp_path / "demo"
    database = tmp_path / "app.db"
    result = subprocess.run(
        [sys.executable, "-c", PRAGMAS, str(database)],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout) == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1}
    assert "*.db-wal" in (project / ".gitignore").read_text()
