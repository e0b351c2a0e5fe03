"""Generated projects pass every gate, and their own test suites pass on PostgreSQL.

Each example document becomes a new project through the real CLI; then `backsmith gates`
runs in it (fuzzing included, on SQLite and PostgreSQL). The gates run the project's own
ruff, mypy and Alembic with its own configuration, from the venv the project's README
set up, so running those tools directly again would only repeat them; the suite on
PostgreSQL is what the gates do not run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, POSTGRES_URL, run

pytestmark = pytest.mark.e2e

COVERAGE_THRESHOLD = 90
FUZZ_EXAMPLES = 20  # per operation and phase: enough to find the classic 500s in CI time
# The second fuzz run, on SQLite, looks for what differs between the databases (types,
# collations, constraint errors): fewer examples find those as well.
SQLITE_FUZZ_EXAMPLES = 8
GATES = ("tests", "lint", "types", "migrations", "architecture", "openapi", "fuzz")


def test_every_gate_passes_with_postgresql(generated: Path, tmp_path: Path) -> None:
    """`backsmith gates`: tests and coverage, lint, types, migrations on SQLite and
    PostgreSQL, architecture, OpenAPI, and fuzzing against the app on PostgreSQL."""
    report = tmp_path / "gates.json"
    run(
        [
            str(BIN / "backsmith"),
            "gates",
            str(generated),
            "--database-url",
            POSTGRES_URL,
            "--fuzz-examples",
            str(FUZZ_EXAMPLES),
            "--json",
            str(report),
        ],
        cwd=generated,
        env={"DATABASE_URL": None},
    )
    results = {r["name"]: r for r in json.loads(report.read_text())["results"]}
    assert {name: r["status"] for name, r in results.items()} == dict.fromkeys(GATES, "passed")
    assert results["tests"]["figures"]["coverage"] >= COVERAGE_THRESHOLD
    assert results["migrations"]["figures"]["databases"] == "sqlite, postgresql"
    assert results["fuzz"]["figures"]["database"] == "postgresql"


def test_fuzzing_passes_on_sqlite(generated: Path) -> None:
    output = run(
        [
            str(BIN / "backsmith"),
            "gates",
            str(generated),
            "--only",
            "fuzz",
            "--fuzz-examples",
            str(SQLITE_FUZZ_EXAMPLES),
        ],
        cwd=generated,
        env={"DATABASE_URL": None},
    )
    assert "all gates passed" in output


def test_own_tests_pass_on_postgresql(generated: Path) -> None:
    """The suite, run by the project's own venv (installed as its README says)."""
    output = run(
        [str(generated / ".venv" / "bin" / "pytest"), "-p", "no:cacheprovider", "-n", "2"],
        cwd=generated,
        env={"DATABASE_URL": POSTGRES_URL},
    )
    assert "passed" in output and "failed" not in output
