"""Each gate passes on a generated project and fails, naming the problem, on a broken one."""

from __future__ import annotations

import re
from pathlib import Path

from backsmith.gates.model import Status
from tests.gates.conftest import RunGate


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_every_static_gate_passes_on_a_generated_project(project: Path, run_gate: RunGate) -> None:
    for name in ("tests", "lint", "types", "migrations", "architecture"):
        result = run_gate(name, project)
        assert result.status is Status.PASSED, (name, result.failures)
    tests = run_gate("tests", project)
    assert tests.figures["failed"] == 0 and int(tests.figures["passed"]) > 20
    assert float(tests.figures["coverage"]) >= 90


def test_tests_gate_reports_a_failing_test_and_low_coverage(
    project: Path, run_gate: RunGate
) -> None:
    _append(
        project / "tests/notes/test_note.py",
        "\n\nasync def test_deliberately_broken() -> None:\n    assert 1 == 2\n",
    )
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("coverage_threshold = 90", "coverage_threshold = 100")
    )
    result = run_gate("tests", project)
    assert result.status is Status.FAILED
    assert result.figures["failed"] == 1
    broken = [f for f in result.failures if f.location and "test_deliberately_broken" in f.location]
    assert broken and "assert 1 == 2" in (broken[0].message + (broken[0].detail or ""))
    assert any("below the threshold of 100%" in f.message for f in result.failures)


def test_lint_gate_names_the_file_and_line(project: Path, run_gate: RunGate) -> None:
    service = project / "app/notes/service.py"
    service.write_text("import os\n" + service.read_text())
    result = run_gate("lint", project)
    assert result.status is Status.FAILED
    (failure,) = [f for f in result.failures if "F401" in f.message]
    assert failure.location == "app/notes/service.py:1:8"
    assert "`os` imported but unused" in failure.message


def test_format_check_is_part_of_lint(project: Path, run_gate: RunGate) -> None:
    _append(project / "app/notes/schemas.py", "\nBADLY   =    1\n")
    result = run_gate("lint", project)
    assert result.status is Status.FAILED
    assert [f.location for f in result.failures if "not formatted" in f.message] == [
        "app/notes/schemas.py"
    ]


def test_types_gate_names_the_error(project: Path, run_gate: RunGate) -> None:
    _append(project / "app/notes/service.py", '\n\ndef broken() -> int:\n    return "text"\n')
    result = run_gate("types", project)
    assert result.status is Status.FAILED
    (failure,) = result.failures
    assert failure.location is not None and failure.location.startswith("app/notes/service.py:")
    assert "Incompatible return value type" in failure.message


def test_migrations_gate_finds_a_model_changed_without_a_migration(
    project: Path, run_gate: RunGate
) -> None:
    models = project / "app/notes/models.py"
    models.write_text(
        models.read_text().replace(
            "    title: Mapped[str]",
            "    color: Mapped[str | None] = mapped_column(String(20))\n    title: Mapped[str]",
        )
    )
    result = run_gate("migrations", project)
    assert result.status is Status.FAILED
    (failure,) = result.failures
    assert "a model changed without a migration" in failure.message
    assert "color" in (failure.detail or "")


def test_migrations_gate_finds_a_downgrade_that_fails(project: Path, run_gate: RunGate) -> None:
    (revision,) = (project / "migrations/versions").glob("*_add_notes.py")
    text = revision.read_text()
    revision.write_text(
        re.sub(r'op\.drop_table\("notes"\)', 'op.drop_table("no_such_table")', text)
    )
    result = run_gate("migrations", project)
    assert result.status is Status.FAILED
    message = result.failures[0].message
    assert message.startswith("`alembic downgrade base` failed on SQLite")
    # The database's own words, not the "Background on this error" link after them.
    assert "no such table: no_such_table" in message, message


def test_migrations_gate_also_checks_postgresql(project: Path, run_gate: RunGate) -> None:
    from tests.e2e.conftest import POSTGRES_URL

    result = run_gate("migrations", project, database_url=POSTGRES_URL)
    assert result.status is Status.PASSED, result.failures
    assert result.figures["databases"] == "sqlite, postgresql"


def test_architecture_gate_refuses_a_router_that_queries_the_database(
    project: Path, run_gate: RunGate
) -> None:
    router = project / "app/notes/router.py"
    router.write_text("from sqlalchemy import select\n" + router.read_text())
    result = run_gate("architecture", project)
    assert result.status is Status.FAILED
    assert any("the router does not query the database" in f.message for f in result.failures)
    assert "sqlalchemy" in " ".join(f.detail or "" for f in result.failures)


def test_architecture_gate_refuses_a_model_importing_its_service(
    project: Path, run_gate: RunGate
) -> None:
    _append(project / "app/notes/models.py", "\nfrom app.notes import service  # noqa\n")
    result = run_gate("architecture", project)
    assert result.status is Status.FAILED
    assert any(
        "router > dependencies > service > schemas > models" in f.message for f in result.failures
    )
