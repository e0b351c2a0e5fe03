"""Alembic revisions produced by Alembic's own autogenerate, never hand-assembled SQL.

The project, with the staged changes applied, is copied to a scratch directory; there a
scratch SQLite database is migrated to the current head and Alembic compares it with the
models. Every engine that run makes is aimed at that database (`runtime/engine_redirect.py`),
whatever URL the project's env.py computes, so the user's own database is never touched;
a project on PostgreSQL gets an empty scratch database on its own server instead, since its
migrations may use what SQLite lacks.
The new revision file is read back and staged like any other file.

Alembic runs in the project's own interpreter (`runtime/autogenerate.py`), in a process
that has already imported Alembic and SQLAlchemy by the time the files are ready
(`runtime/alembic_worker.py`): `prepare` starts it while the feature is still being
rendered, so that the two overlap (a second of every generation).
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from backsmith import runtime
from backsmith.errors import StepFailed
from backsmith.tool_output import what_it_said

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


class _Worker:
    """A Python process of one interpreter, Alembic imported, waiting for one job."""

    def __init__(self, python: str) -> None:
        self.python = python
        self.scratch = tempfile.mkdtemp(prefix="backsmith-migrate-")
        # Started in its empty scratch directory, so nothing of the user's cwd is importable,
        # and without PYTHONPATH, which the job sets to the project copy.
        env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
        self.process = subprocess.Popen(
            [python, runtime.script("alembic_worker")],
            cwd=self.scratch,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(
        self, root: Path, env: dict[str, str], database: str, argv: list[str]
    ) -> tuple[int, str]:
        """Run autogenerate with every engine aimed at `database`; (exit code, stderr)."""
        job = {
            "root": str(root),
            "env": env,
            "argv": ["--beside-postgresql", database, runtime.script("autogenerate"), *argv],
            "script": runtime.script("engine_redirect"),
        }
        _, stderr = self.process.communicate(json.dumps(job) + "\n")
        return self.process.returncode, stderr

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


_waiting: dict[str, _Worker] = {}  # by interpreter; the MCP server may call from threads
_lock = threading.Lock()


def prepare(project_root: Path | None) -> None:
    """Start the process the next `autogenerate` for `project_root` will use, if none waits."""
    python = project_python(project_root)
    with _lock:
        if python not in _waiting:
            _waiting[python] = _Worker(python)


def _take(project_root: Path | None) -> _Worker:
    python = project_python(project_root)
    with _lock:
        worker = _waiting.pop(python, None)
    return worker or _Worker(python)


@atexit.register
def _close_unused() -> None:
    with _lock:
        unused = list(_waiting.values())
        _waiting.clear()
    for worker in unused:
        worker.close()


_VENV_PYTHONS = (".venv/bin/python", "venv/bin/python", ".venv/Scripts/python.exe")


def project_python(project_root: Path | None) -> str:
    """The project's own interpreter, else the one running backsmith.

    In order: a virtualenv in the project (`.venv`, `venv`); one in a folder above it, up
    to its repository's root (a uv workspace or a monorepo keeps one `.venv` at the top
    for its `backend/`); the active virtualenv (`VIRTUAL_ENV`), as a user who activated
    the project's environment and runs backsmith from its own would expect.
    """
    if project_root is not None:
        root = project_root.resolve()
        top = repository_root(root)
        for folder in [root, *root.parents]:
            for candidate in _VENV_PYTHONS:
                if (folder / candidate).is_file():
                    return str(folder / candidate)
            if folder == top:
                break
    active = os.environ.get("VIRTUAL_ENV")
    if active and (Path(active) / "bin" / "python").is_file():
        return str(Path(active) / "bin" / "python")
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
    worker = _take(project_root)
    try:
        if project_root is not None:
            root = _copy_project(project_root, Path(worker.scratch) / "tree")
        else:
            root = Path(worker.scratch) / "tree" / "project"
        for path, content in staged.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        folder = root / versions
        folder.mkdir(parents=True, exist_ok=True)
        before = set(folder.glob("*.py"))
        database = Path(worker.scratch) / "scratch.db"
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "PYTHONPATH": str(root)}
        url = [f"{driver}:///{database}"] if driver else []
        # Whatever URL the project's env.py builds, its engines reach only this database.
        returncode, stderr = worker.run(root, env, f"sqlite:///{database}", [message, *url])
        if returncode != 0:
            if project_root is not None:  # paths the user can open, not the copy's
                stderr = stderr.replace(str(root), str(project_root.resolve()))
            said = "\n".join("  " + line for line in what_it_said(stderr).splitlines())
            raise StepFailed(
                "Alembic could not generate the migration, and nothing was written "
                "(`alembic upgrade head` in the project shows whether its existing "
                f"migrations apply). It said:\n{said}"
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
    finally:
        worker.close()


def repository_root(project_root: Path) -> Path:
    """The folder of the repository the project is in (the nearest with `.git`), else the
    one just above it: settings may read files from there (`env_file="../.env"`)."""
    for folder in [project_root, *project_root.parents]:
        if (folder / ".git").exists():
            return folder
    return project_root.parent if project_root.parent != project_root else project_root


def repository_folders(project_root: Path) -> list[Path]:
    """The project's folder and each one above it up to its repository's, nearest first."""
    top = repository_root(project_root)
    folders = [project_root]
    while folders[-1] != top and folders[-1].parent != folders[-1]:
        folders.append(folders[-1].parent)
    return folders


def _copy_project(project_root: Path, tree: Path) -> Path:
    """A copy of the project under `tree`, where every path it reads relative to itself
    still leads where it did: its folder sits as deep in `tree` as in its repository, and
    each folder above it brings its `.env` files (a `backend/` whose settings read
    `../.env`, as the FastAPI full-stack template's do). Returns the copy's root."""
    project_root = project_root.resolve()
    top = repository_root(project_root)
    root = tree / project_root.relative_to(top)
    shutil.copytree(project_root, root, ignore=_IGNORED)
    for folder in repository_folders(project_root)[1:]:
        mirror = tree / folder.relative_to(top)
        for env_file in folder.glob(".env*"):
            if env_file.is_file():
                shutil.copy2(env_file, mirror / env_file.name)
    return root
