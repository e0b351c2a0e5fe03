"""ruff formats as the project configures it; Alembic autogenerates only real changes."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from pathlib import Path

import pytest

from backsmith.formatting import format_python
from backsmith.migrations import autogenerate, project_python
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_project, users_revision


def test_formatting_follows_the_project_line_length(tmp_path: Path) -> None:
    source = "import os\nimport sys\n\n\ndef f(a, b):\n    return [a, b, 'x' * 10, 'y' * 10]\n"
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 40\n")
    formatted = format_python({"m.py": source, "notes.txt": "kept as is"}, tmp_path)
    assert formatted["notes.txt"] == "kept as is"
    assert "import os" not in formatted["m.py"]  # unused imports go
    assert all(len(line) <= 40 for line in formatted["m.py"].splitlines())
    assert '"x" * 10' in formatted["m.py"]


def test_a_new_project_ships_the_revision_alembic_autogenerates(tmp_path: Path) -> None:
    files = render_project("demo")
    shipped = [path for path in files if path.startswith("migrations/versions/")]
    assert len(shipped) == 1 and shipped[0].endswith("_create_users.py")
    without = {path: text for path, text in files.items() if path not in shipped}
    revision = autogenerate(None, without, "create users")
    assert revision is not None
    path, content = revision
    # Byte for byte what Alembic writes, given the id and date it chose.
    ids = re.search(r"^Revision ID: (\w+)$", content, re.MULTILINE)
    date = re.search(r"^Create Date: (.+)$", content, re.MULTILINE)
    assert ids is not None and date is not None
    made = users_revision(datetime.fromisoformat(date.group(1)), ids.group(1))
    assert made == (path, content)
    # With the shipped revision in place, the models and the migrations agree: no new revision.
    assert autogenerate(None, files, "nothing") is None


def _venv(folder: Path) -> Path:
    """A stand-in virtualenv whose python is this interpreter."""
    python = folder / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    return python


def test_a_backend_folder_runs_in_its_repository_environment(tmp_path: Path) -> None:
    """A uv workspace keeps one `.venv` at the repository's root for its `backend/`."""
    (tmp_path / ".git").mkdir()
    backend = tmp_path / "backend"
    backend.mkdir()
    workspace = _venv(tmp_path)
    assert project_python(backend) == str(workspace)
    own = _venv(backend)  # the project's own environment comes first
    assert project_python(backend) == str(own)


def test_no_environment_above_the_repository_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    _venv(tmp_path)  # beside the repository, not in it
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    assert project_python(repository) == sys.executable
