"""A generated project installs with the commands its README gives: pip and uv, 3.11-3.13.

The examples' end-to-end runs install with uv on the interpreter running the tests; this
covers the other installer and interpreters on a small document, and proves the install
works by migrating a database and running the project's own auth tests in the new venv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import new_project, run
from tests.e2e.install import find_python, install_project

pytestmark = pytest.mark.e2e

DOCUMENT = """\
feature: notes
entities:
  Note:
    owned: true
    fields:
      title: str(1..80)
"""
CURRENT = f"{sys.version_info.major}.{sys.version_info.minor}"
# (installer, Python version): pip on the running interpreter; uv on the newer ones.
CASES = [("pip", CURRENT), ("uv", "3.12"), ("uv", "3.13")]


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("doc") / "notes.yaml"
    path.write_text(DOCUMENT)
    return path


@pytest.mark.parametrize(("installer", "version"), CASES, ids=[f"{i}-{v}" for i, v in CASES])
def test_project_installs_as_its_readme_says(
    document: Path, tmp_path: Path, installer: str, version: str
) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python {version} on this machine")
    project = new_project(document, tmp_path)
    venv_bin = install_project(project, installer, python)

    reported = run([str(venv_bin / "python"), "--version"], cwd=project)
    assert reported.split()[1].startswith(f"{version}.")
    db = tmp_path / "app.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    run([str(venv_bin / "alembic"), "upgrade", "head"], cwd=project, env=env)
    assert db.stat().st_size > 0
    output = run(
        [str(venv_bin / "pytest"), "-q", "-p", "no:cacheprovider", "tests/auth"],
        cwd=project,
        env={"DATABASE_URL": None},
    )
    assert " passed" in output and "failed" not in output
