"""`implement` in projects backsmith did not create: the feature in the team's own style.

Each fixture project is copied, the budget example implemented in it, and then judged the
way its team judges a change: its own test suite (old tests and new), its own ruff and
mypy settings. The new files must sit where the project keeps files of their kind.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backsmith.pipeline import implement_feature

FIXTURES = Path(__file__).parents[1] / "fixtures" / "projects"
BUDGET = Path(__file__).parents[2] / "examples" / "budget.md"
BIN = Path(sys.executable).parent

# Where each project keeps a feature's layers, as `backsmith inspect` reports them.
EXPECTED_FILES = {
    "async_domain": [
        "app/budget/models.py",
        "app/budget/schemas.py",
        "app/budget/service.py",
        "app/budget/router.py",
        "tests/budget/test_router.py",
    ],
    "async_layered": [
        "app/models/budget.py",
        "app/schemas/budget.py",
        "app/services/budget_service.py",
        "app/api/v1/endpoints/budget.py",
        "tests/api/test_budget.py",
    ],
}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("fixture", sorted(EXPECTED_FILES))
def test_implement_writes_in_the_projects_style_and_passes_its_checks(
    fixture: str, tmp_path: Path
) -> None:
    project = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, project)
    before = run([str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert before.returncode == 0, before.stdout[-2000:]
    tests_before = int(before.stdout.strip().splitlines()[-1].split()[0])

    result = implement_feature(project, BUDGET)

    for path in EXPECTED_FILES[fixture]:
        assert path in result.written, path
    revisions = [p for p in result.written if "/versions/" in p]
    assert len(revisions) == 1
    after = run([str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project)
    assert after.returncode == 0, after.stdout[-3000:]
    tests_after = int(after.stdout.strip().splitlines()[-1].split()[0])
    assert tests_after > tests_before + 20  # the old tests still pass, the new ones too
    lint = run([str(BIN / "ruff"), "check", "."], project)
    assert lint.returncode == 0, lint.stdout
    formatted = run([str(BIN / "ruff"), "format", "--check", "."], project)
    assert formatted.returncode == 0, formatted.stdout
    types = run([str(BIN / "mypy")], project)
    assert types.returncode == 0, types.stdout[-3000:]


def test_routers_and_models_are_registered_the_way_the_project_does_it(tmp_path: Path) -> None:
    project = tmp_path / "async_domain"
    shutil.copytree(FIXTURES / "async_domain", project)
    implement_feature(project, BUDGET)
    main = (project / "app/main.py").read_text(encoding="utf-8")
    assert "from app.budget.router import router as budget_router" in main
    assert 'app.include_router(budget_router, prefix="/budget", tags=["budget"])' in main
    env = (project / "alembic/env.py").read_text(encoding="utf-8")
    assert "from app.budget import models as budget_models  # noqa: F401" in env
    again = implement_feature(project, BUDGET)
    assert again.written == []  # nothing left to do: every edit is idempotent
