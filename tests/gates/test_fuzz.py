"""The fuzz gate: schemathesis in process against the generated app, every check, every phase."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

from backsmith.gates.fuzz import fuzz_gate
from backsmith.gates.model import GateContext, Status
from backsmith.project.profile import load_profile
from tests.gates.conftest import RunGate, new_project

EXAMPLES = 5  # per operation and phase: enough to reach the boundaries, quick enough here


def _files(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in root.rglob("*")}


def test_a_generated_project_passes_and_is_left_untouched(project: Path, run_gate: RunGate) -> None:
    before = _files(project)

    result = run_gate("fuzz", project, fuzz_examples=EXAMPLES)

    assert result.status is Status.PASSED, [
        (f.location, f.message, f.detail) for f in result.failures
    ]
    # auth (register, token, me) + the five operations of Note
    assert result.figures["operations"] == 8
    assert int(result.figures["examples"]) > int(result.figures["stateful_steps"]) > 0
    assert result.figures["failures"] == 0
    assert result.figures["database"] == "sqlite"
    # No .hypothesis, .pytest_cache, bytecode, coverage data or database in the project.
    assert _files(project) == before


def test_a_route_that_crashes_fails_naming_the_operation_and_the_500(
    project: Path, run_gate: RunGate
) -> None:
    service = project / "app/notes/service.py"
    source = service.read_text()
    broken, replaced = re.subn(
        r"(async def create_note\(.*?\) -> Note:\n)",
        r"\1    _ = 1 / (len(data.title) - 1)  # a one-character title divides by zero\n",
        source,
        count=1,
        flags=re.DOTALL,
    )
    assert replaced == 1, "the generated service changed shape; update this test"
    service.write_text(broken)

    result = run_gate("fuzz", project, fuzz_examples=EXAMPLES)

    assert result.status is Status.FAILED
    crashes = [
        f for f in result.failures if f.location == "POST /notes" and "Server error" in f.message
    ]
    assert crashes, [(f.location, f.message) for f in result.failures]
    [crash] = crashes
    assert "500" in crash.message
    assert crash.detail is not None
    assert crash.detail.startswith("curl -X POST")  # a request that reproduces it
    assert "ZeroDivisionError" in crash.detail  # and the server's traceback
    assert int(result.figures["failures"]) == len(result.failures)


SOFT_DELETED = """\
feature: crm
entities:
  Lead:
    owned: true
    soft_delete: true
    fields:
      stage: {enum: [low, medium, high]}
"""


def test_restore_after_delete_is_the_contract_and_a_delete_that_hides_nothing_is_not(
    tmp_path: Path, run_gate: RunGate
) -> None:
    """The stateful phase deletes, restores and reads again: a row read after its restore
    is no use after free, nor is a 404 for restoring a live row (docs/spec.md, Soft
    delete). A DELETE that answers 204 but leaves the row readable still fails."""
    project = new_project(tmp_path, SOFT_DELETED)

    kept = run_gate("fuzz", project, fuzz_examples=EXAMPLES)

    assert kept.status is Status.PASSED, [(f.location, f.message) for f in kept.failures]
    assert int(kept.figures["stateful_steps"]) > 0
    service = project / "app/crm/service.py"
    source = service.read_text()
    marked = "lead.deleted_at = utcnow()"
    assert source.count(marked) == 1, "the generated service changed shape; update this test"
    service.write_text(source.replace(marked, "lead.updated_at = utcnow()"))

    broken = run_gate("fuzz", project, fuzz_examples=EXAMPLES)

    assert broken.status is Status.FAILED
    assert any("Deleted resource still available" in f.message for f in broken.failures), [
        (f.location, f.message) for f in broken.failures
    ]


def test_without_schemathesis_the_gate_is_an_error_that_says_how_to_install_it(
    project: Path, tmp_path: Path
) -> None:
    # An interpreter in which `import schemathesis` fails, as in a project without it.
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "schemathesis.py").write_text("raise ImportError('No module named schemathesis')\n")
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH={shadow} exec {sys.executable} "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    profile = load_profile(project)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    context = GateContext(root=profile.root, profile=profile, python=str(python), scratch=scratch)

    result = fuzz_gate(context)

    assert result.status is Status.ERROR
    [failure] = result.failures
    assert "schemathesis is not installed" in failure.message
    assert "pip install" in failure.message


def test_a_route_added_after_create_app_is_fuzzed_and_its_500_named(
    served_route: Path, run_gate: RunGate
) -> None:
    result = run_gate("fuzz", served_route, fuzz_examples=EXAMPLES)

    assert result.status is Status.FAILED
    assert result.figures["app"] == "app.main:app"
    assert result.figures["operations"] == 9  # the eight of create_app() and GET /lucky/{n}
    crashes = [f for f in result.failures if f.location == "GET /lucky/{n}" and "500" in f.message]
    assert crashes, [(f.location, f.message) for f in result.failures]
    assert crashes[0].detail is not None
    assert "/lucky/7" in crashes[0].detail  # the request that shows it
    assert "seven is unlucky" in crashes[0].detail  # and the server's traceback


def test_an_app_override_that_names_no_app_is_an_error_at_pyproject(
    project: Path, run_gate: RunGate
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("[tool.backsmith]", "[tool.backsmith]\napp = 'app.main'", 1)
    )

    result = run_gate("fuzz", project, fuzz_examples=EXAMPLES)

    assert result.status is Status.ERROR
    [failure] = result.failures
    assert failure.location == "pyproject.toml"
    assert "[tool.backsmith] app = 'app.main' is not `module:attribute`" in failure.message
