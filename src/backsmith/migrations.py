"""Alembic revisions produced by Alembic's own autogenerate, never hand-assembled SQL.

The project, with the staged changes applied, is copied to a scratch directory; there a
scratch SQLite database is migrated to the current head and Alembic compares it with the
models. The new revision file is read back and staged like any other file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from backsmith.errors import StepFailed

VERSIONS = "migrations/versions"
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.db",
    "*.sqlite",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "htmlcov",
    ".coverage",
    ".backsmith",
)

# Runs inside the target project's interpreter, so its own Alembic and models are used.
_SCRIPT = """
import argparse, sys
from alembic import command
from alembic.config import Config
config = Config("alembic.ini")
config.attributes["configure_logger"] = False
if len(sys.argv) > 2:
    config.set_main_option("sqlalchemy.url", sys.argv[2])
config.cmd_opts = argparse.Namespace(autogenerate=True)
command.upgrade(config, "head")
command.revision(config, message=sys.argv[1], autogenerate=True)
"""


def project_python(project_root: Path | None) -> str:
    """The project's own interpreter (its `.venv`), else the one running backsmith."""
    if project_root is not None:
        for candidate in (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe"):
            if (project_root / candidate).is_file():
                return str(project_root / candidate)
    import sys

    return sys.executable


def autogenerate(
    project_root: Path | None,
    staged: dict[str, str],
    message: str,
    *,
    versions: str = VERSIONS,
    driver: str | None = None,
) -> tuple[str, str] | None:
    """The new revision `(relative path, content)` for `staged`, or None if nothing changed.

    `driver` (`sqlite` or `sqlite+aiosqlite`) also hands the scratch database to Alembic as
    `sqlalchemy.url`, which is how most projects' env.py take a URL; projects made by
    `backsmith new` read `DATABASE_URL`.
    """
    with tempfile.TemporaryDirectory(prefix="backsmith-migrate-") as scratch:
        root = Path(scratch) / "project"
        if project_root is not None:
            shutil.copytree(project_root, root, ignore=_IGNORED)
        for path, content in staged.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        folder = root / versions
        folder.mkdir(parents=True, exist_ok=True)
        before = set(folder.glob("*.py"))
        database = Path(scratch) / "scratch.db"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "PYTHONPATH": str(root),
        }
        url = [f"{driver}:///{database}"] if driver else []
        result = subprocess.run(
            [project_python(project_root), "-c", _SCRIPT, message, *url],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StepFailed(
                "Alembic could not generate the migration: " + _last_error(result.stderr),
                hint="nothing was written; run `alembic upgrade head` in the project to see "
                "whether its existing migrations apply",
            )
        created = sorted(set(folder.glob("*.py")) - before)
        if not created:
            return None
        revision = created[-1]
        content = revision.read_text(encoding="utf-8")
        if "op." not in content:
            # A project's env.py may not skip empty autogenerates as ours does: nothing to do.
            return None
        return f"{versions}/{revision.name}", content


def _last_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"
