"""`backsmith gates` on projects backsmith did not make: the three fixture projects.

Each runs on a copy (never in tests/fixtures); a broken change to each is caught by the
gate that should catch it, naming what broke. Every gate passing on each fixture, with a
feature implemented in it, is `tests/project/test_implement_house.py`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from backsmith.gates.model import GateResult, Status
from backsmith.gates.runner import run_gates
from backsmith.project.profile import load_profile
from tests.cli.test_cli import backsmith, snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "projects"
POSTGRES = os.environ.get(
    "BACKSMITH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def copy_of(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return root


def failures(result: GateResult | None) -> list[tuple[str | None, str]]:
    assert result is not None
    return [(f.location, f.message) for f in result.failures]


GADGET = """

class Gadget(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=40)
"""


def test_a_table_added_without_a_migration_fails_naming_it(tmp_path: Path) -> None:
    root = copy_of("sqlmodel_layered", tmp_path)
    models = root / "app/models.py"
    models.write_text(models.read_text() + GADGET)

    report = run_gates(root, ["migrations"])

    result = report.result("migrations")
    assert result is not None and result.status is Status.FAILED
    assert "a model changed without a migration" in result.failures[0].message
    assert "gadget" in (result.failures[0].detail or "")


def test_a_domain_importing_another_domains_router_breaks_a_contract(tmp_path: Path) -> None:
    root = copy_of("async_domain", tmp_path)
    service = root / "app/inventory/service.py"
    service.write_text(
        "from app.auth import router as _auth_router  # noqa: F401\n" + service.read_text()
    )

    report = run_gates(root, ["architecture"])

    result = report.result("architecture")
    assert result is not None and result.status is Status.FAILED
    assert (
        failures(result)[0][1]
        == "contract broken: inventory does not import another domain's router"
    )
    assert "app.inventory.service -> app.auth.router" in (result.failures[0].detail or "")


def test_a_column_added_without_a_migration_fails_on_both_databases(tmp_path: Path) -> None:
    root = copy_of("async_layered", tmp_path)
    model = root / "app/models/project.py"
    source = model.read_text()
    anchor = "    __tablename__ = "
    assert anchor in source, "the fixture's model changed shape; update this test"
    model.write_text(
        source.replace(anchor, "    budget: Mapped[int | None] = mapped_column()\n" + anchor, 1)
    )

    report = run_gates(root, ["migrations"], database_url=POSTGRES)

    result = report.result("migrations")
    assert result is not None and result.status is Status.FAILED
    labels = [f.message for f in result.failures]
    assert any("on SQLite" in m for m in labels) and any("on PostgreSQL" in m for m in labels)
    assert all("budget" in (f.detail or "") for f in result.failures)


def test_gates_refuse_a_project_that_is_not_fastapi(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "flask-app"\n')
    before = snapshot(tmp_path)
    result = backsmith("gates", str(tmp_path))
    assert result.returncode == 2
    assert "not a FastAPI project" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_a_project_measured_with_coverage_itself_gets_its_coverage(tmp_path: Path) -> None:
    """A project whose scripts say `coverage run -m pytest` has coverage.py and no
    pytest-cov: the tests gate measures with what it has (it said "pytest could not
    start")."""
    root = copy_of("sqlmodel_layered", tmp_path)
    uv = [str(Path(sys.executable).parent / "uv")]
    subprocess.run([*uv, "venv", "-q", str(root / ".venv")], check=True, cwd=root)
    packages = ["-e", ".", "pytest>=8.3", "httpx>=0.28", "coverage>=7.4"]
    python = str(root / ".venv" / "bin" / "python")
    subprocess.run([*uv, "pip", "install", "-q", "-p", python, *packages], check=True, cwd=root)

    result = run_gates(root, ["tests"]).result("tests")

    assert result is not None and result.status is Status.PASSED, result.failures
    assert float(result.figures["coverage"]) >= 90


def _without_error_responses(root: Path) -> None:
    """The project's routes as a team writes them that documents no error response."""
    for module in (root / "app").rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        text = re.sub(r",?\s*responses=(\{[^}]*\}|[A-Z_]+)", "", text)
        module.write_text(text, encoding="utf-8")


def test_routes_that_document_no_error_response_are_not_held_to_them(tmp_path: Path) -> None:
    """The FastAPI full-stack template's routes declare no `responses=`: its OpenAPI lists
    success statuses only, and the gate failed its own routes for not listing 401 and 404."""
    root = copy_of("sqlmodel_layered", tmp_path)
    before = run_gates(root, ["openapi"]).result("openapi")
    assert before is not None and before.status is Status.PASSED
    _without_error_responses(root)

    profile = load_profile(root)
    assert profile.value("error_statuses") == "undocumented"
    assert "routes declares responses=" in (profile.facts["error_statuses"].evidence or "")
    result = run_gates(root, ["openapi"]).result("openapi")

    assert result is not None and result.status is Status.PASSED, result.failures
    assert "error statuses left undocumented" in result.summary


def test_the_routes_backsmith_generated_are_not_the_teams_evidence(tmp_path: Path) -> None:
    root = copy_of("sqlmodel_layered", tmp_path)
    _without_error_responses(root)
    router = root / "app/api/routes/gadgets.py"
    router.write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/gadgets", responses={404: {"description": "Not found"}})\n'
        "def gadgets() -> list[int]:\n    return []\n",
        encoding="utf-8",
    )
    assert load_profile(root).value("error_statuses") == "documented"
    manifest = root / ".backsmith" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text('{"version": 1, "files": {"app/api/routes/gadgets.py": "x"}}')
    assert load_profile(root).value("error_statuses") == "undocumented"
