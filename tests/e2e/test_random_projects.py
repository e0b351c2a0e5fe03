"""Random feature documents become projects that install, pass their own suite and the gates.

A small sample of the soak (`python -m bench.soak`, docs/soak.md): two small documents
drawn from a fixed seed, so that CI sees the same ones every run and a failure here is
a document anyone can regenerate. Fuzzing and PostgreSQL suites are left to the soak and
to test_generated_projects.py; the tests gate is the suite run directly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, POSTGRES_URL, new_project, run
from tests.e2e.install import install_project
from tests.strategies.documents import sample_documents
from tests.strategies.render import dump

pytestmark = pytest.mark.e2e

SEED = 20261202
DOCUMENTS = sample_documents(2, SEED, max_entities=2, max_fields=3, prose=False)
FAST_GATES = ("lint", "types", "migrations", "architecture", "openapi")


@pytest.mark.parametrize("document", DOCUMENTS, ids=[f"seed{SEED}-{i}" for i in range(2)])
def test_a_random_document_makes_a_project_that_passes(document: dict, tmp_path: Path) -> None:
    path = tmp_path / "feature.yaml"
    path.write_text(dump(document), encoding="utf-8")
    _assert_passes(path, tmp_path)


def test_the_shapes_the_soak_found_broken_make_a_passing_project(tmp_path: Path) -> None:
    """One document holds every shape a soak run failed on (see its comments); its
    migrations also make and drop its tables on PostgreSQL, which checks foreign keys as
    each table is made."""
    document = Path(__file__).parent / "regressions" / "soak_findings.yaml"
    _assert_passes(document, tmp_path, database_url=POSTGRES_URL)


def _assert_passes(document: Path, tmp_path: Path, database_url: str | None = None) -> None:
    """The project installs as its README says, its own suite passes, and so do the
    static gates (the migrations also on `database_url`'s server, when given)."""
    project = new_project(document, tmp_path)
    venv = install_project(project, "uv")
    output = run(
        [str(venv / "pytest"), "-p", "no:cacheprovider", "-q"],
        cwd=project,
        env={"DATABASE_URL": None},
    )
    assert " passed" in output and " failed" not in output, output[-3000:]
    report = tmp_path / "gates.json"
    only = [arg for gate in FAST_GATES for arg in ("--only", gate)]
    server = ["--database-url", database_url] if database_url else []
    run(
        [str(BIN / "backsmith"), "gates", str(project), *only, *server, "--json", str(report)],
        cwd=project,
        env={"DATABASE_URL": None},
    )
    statuses = {r["name"]: r["status"] for r in json.loads(report.read_text())["results"]}
    assert statuses == dict.fromkeys(FAST_GATES, "passed"), document.read_text()
