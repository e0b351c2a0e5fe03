"""The CLI as a user meets it: real commands, exit codes, and what lands on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CLINIC = REPO / "examples" / "clinic.md"

SMALL_FEATURE = """\
# Notes

```yaml backsmith
feature: notes
entities:
  Note:
    owned: true
    fields:
      title: str(1..80)
      body: text?
```
"""

WITH_PINNED = "body: text?\n      pinned: bool = false"  # the notes document, one field more


def backsmith(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backsmith", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def implement(document: Path, project: Path) -> subprocess.CompletedProcess[str]:
    """`backsmith implement` without the gates: these tests are about what is written."""
    return backsmith("implement", str(document), "--project", str(project), "--no-gates")


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("base")
    result = backsmith("new", "shop", "--directory", str(parent))
    assert result.returncode == 0, result.stderr
    return parent / "shop"


@pytest.fixture
def project(base_project: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "shop"
    shutil.copytree(base_project, copy)
    return copy


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    document = tmp_path / "notes.md"
    document.write_text(SMALL_FEATURE)
    return document


def test_version_and_help() -> None:
    assert backsmith("--version").stdout.startswith("backsmith ")
    result = backsmith("--help")
    assert result.returncode == 0
    for command in ("new", "implement", "plan", "validate", "schema"):
        assert command in result.stdout


def test_an_unknown_option_is_a_usage_error_not_a_traceback() -> None:
    result = backsmith("implement", "--feature", "x.md")
    assert result.returncode == 2
    assert "No such option: --feature" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_accepts_the_examples() -> None:
    for example in sorted((REPO / "examples").iterdir()):
        result = backsmith("validate", str(example))
        assert result.returncode == 0, result.stderr
        assert "ok" in result.stdout
        assert "warning" not in result.stdout + result.stderr, example.name


# Issue #13: admins may delete loans, but read only their own; every other delete is a 404.
DEAD_GRANT = """\
feature: library
roles: [librarian]
entities:
  Loan:
    owned: true
    fields: {note: str}
    access:
      list: [owner, "role:librarian"]
      read: [owner, "role:librarian"]
      update: owner
      delete: "role:admin"
"""


def test_validate_prints_a_located_warning_for_a_dead_grant_and_exits_0(tmp_path: Path) -> None:
    document = tmp_path / "loans.yaml"
    document.write_text(DEAD_GRANT)
    result = backsmith("validate", str(document))
    assert result.returncode == 0, result.stderr
    [warning] = result.stderr.splitlines()  # one line, however narrow the terminal
    assert warning.startswith(f"{document}:11:15: warning: `role:admin` lets a user with role ")
    assert "their delete is a 404" in warning
    assert warning.endswith(
        "(hint: grant `read` to `role:admin` too, or drop `role:admin` from `delete`)"
    )
    assert result.stdout == f"ok: {document}: feature 'library' with Loan (1 warning)\n"


def test_plan_shows_the_warnings_of_the_document_it_plans(project: Path, tmp_path: Path) -> None:
    document = tmp_path / "loans.yaml"
    document.write_text(DEAD_GRANT)
    result = backsmith("plan", str(document), "--project", str(project))
    assert result.returncode == 0, result.stderr
    assert f"{document}:11:15: warning: `role:admin`" in result.stderr
    assert "app/library/service.py" in result.stdout


def test_a_bad_document_is_one_line_with_its_location_and_exit_2(tmp_path: Path) -> None:
    document = tmp_path / "bad.yaml"
    document.write_text("feature: shop\nentities:\n  Item:\n    fields:\n      price: money\n")
    result = backsmith("validate", str(document))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert f"{document}:5:" in lines[0]
    assert "money" in lines[0]


def test_schema_prints_a_json_schema() -> None:
    result = backsmith("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert "entities" in json.dumps(schema)


def test_new_with_a_bad_document_writes_nothing(tmp_path: Path) -> None:
    document = tmp_path / "bad.md"
    document.write_text("# nothing machine-readable here\n")
    result = backsmith("new", "demo", "--directory", str(tmp_path), "--feature", str(document))
    assert result.returncode == 2
    assert not (tmp_path / "demo").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.md"]


def test_new_tells_the_set_up_its_readme_gives(tmp_path: Path) -> None:
    result = backsmith("new", "demo", "--directory", str(tmp_path))
    assert result.returncode == 0, result.stderr
    readme = (tmp_path / "demo" / "README.md").read_text(encoding="utf-8")
    assert "pip install -e '.[dev]'" in readme
    # The dev extra carries pytest: without it, the printed next step cannot run.
    assert "pip install -e '.[dev]' && .venv/bin/pytest" in " ".join(result.stdout.split())


def test_new_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "keep.txt").write_text("mine")
    result = backsmith("new", "demo", "--directory", str(tmp_path))
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["keep.txt"]


def test_plan_and_dry_run_write_nothing(project: Path, notes: Path) -> None:
    before = snapshot(project)
    planned = backsmith("plan", str(notes), "--project", str(project))
    assert planned.returncode == 0, planned.stderr
    assert "app/notes/models.py" in planned.stdout
    dry = backsmith("implement", str(notes), "--project", str(project), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+++ b/app/notes/service.py" in dry.stdout
    assert "add_notes.py" in dry.stdout  # the autogenerated migration is part of the diff
    assert snapshot(project) == before


def test_implement_writes_the_feature_then_has_nothing_left_to_do(
    project: Path, notes: Path
) -> None:
    first = implement(notes, project)
    assert first.returncode == 0, first.stderr
    assert (project / "app/notes/router.py").is_file()
    assert "notes_router" in (project / "app/main.py").read_text()
    assert list((project / "migrations/versions").glob("*_add_notes.py"))
    after_first = snapshot(project)
    second = implement(notes, project)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stdout
    assert snapshot(project) == after_first


def test_a_hand_edit_is_never_overwritten(project: Path, notes: Path) -> None:
    assert implement(notes, project).returncode == 0
    models = project / "app/notes/models.py"
    models.write_text(models.read_text() + "\n# a careful hand edit\n")
    notes.write_text(SMALL_FEATURE.replace("body: text?", WITH_PINNED))
    before = snapshot(project)
    result = implement(notes, project)
    assert result.returncode == 2
    assert "app/notes/models.py" in result.stderr and "by hand" in result.stderr
    assert snapshot(project) == before


def test_a_failing_migration_leaves_the_project_as_it_was(project: Path, notes: Path) -> None:
    broken = project / "migrations/versions/0000_broken.py"
    broken.write_text("this is not python\n")
    before = snapshot(project)
    result = implement(notes, project)
    assert result.returncode == 1
    assert "Alembic could not generate the migration" in result.stderr
    # Python's own words, and where in the project: the revision file, not the copy's.
    assert f'File "{broken.resolve()}", line 1' in result.stderr
    assert "NameError: name 'this' is not defined" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_implement_refuses_a_project_it_cannot_profile(tmp_path: Path, notes: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "flask-app"\n')
    before = snapshot(tmp_path)
    result = backsmith("implement", str(notes), "--project", str(tmp_path), "--no-gates")
    assert result.returncode == 2
    assert "not a FastAPI project" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_changed_document_regenerates_and_migrates_the_difference(
    project: Path, notes: Path
) -> None:
    assert implement(notes, project).returncode == 0
    notes.write_text(SMALL_FEATURE.replace("body: text?", WITH_PINNED))
    result = implement(notes, project)
    assert result.returncode == 0, result.stderr
    assert "pinned: Mapped[bool]" in (project / "app/notes/models.py").read_text()
    revisions = sorted((project / "migrations/versions").glob("*_add_notes.py"))
    assert len(revisions) == 2
    newest = max(revisions, key=lambda p: "add_column" in p.read_text())
    assert "op.add_column" in newest.read_text() and "pinned" in newest.read_text()


def test_removing_an_entity_removes_its_files_and_table(project: Path, tmp_path: Path) -> None:
    document = tmp_path / "two.yaml"
    two = "feature: shelf\nentities:\n  Book:\n    fields: {title: str(1..50)}\n"
    document.write_text(two + "  Shelf:\n    fields: {label: str(1..20)}\n")
    assert implement(document, project).returncode == 0
    assert (project / "tests/shelf/test_shelf.py").is_file()
    document.write_text(two)
    result = implement(document, project)
    assert result.returncode == 0, result.stderr
    assert not (project / "tests/shelf/test_shelf.py").exists()
    assert (project / "tests/shelf/test_book.py").is_file()
    newest = max(
        (project / "migrations/versions").glob("*_add_shelf.py"), key=lambda p: p.stat().st_mtime_ns
    )
    assert 'op.drop_table("shelves")' in newest.read_text()


RULED = SMALL_FEATURE.replace(
    "# Notes\n", "# Notes\n\n## Business rules\n\n- Notes of a user have distinct titles.\n"
)


def test_rules_in_prose_are_listed_when_no_model_runs_them(
    project: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes.write_text(RULED)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    result = backsmith(
        "implement", str(notes), "--project", str(project), "--no-gates", "--llm", "anthropic:x"
    )
    assert result.returncode == 0, result.stderr
    assert "LLM mode did not run: ANTHROPIC_API_KEY is not set" in result.stdout
    assert "1 business rule(s) in prose left to implement" in result.stdout
    assert "Notes of a user have distinct titles." in result.stdout
    assert backsmith("gates", str(project), "--only", "lint").returncode == 0
    assert backsmith("report", str(project)).returncode == 0
    plan = (project / "MULTI_AGENT_PLAN.md").read_text()
    blockers = plan.split("#### Issues/Blockers")[1].split("#### Next Steps")[0]
    assert "business rule" in blockers and "Notes of a user have distinct titles." in blockers


def test_an_unknown_model_is_refused_before_anything_is_written(project: Path, notes: Path) -> None:
    before = snapshot(project)
    result = backsmith(
        "implement", str(notes), "--project", str(project), "--no-gates", "--llm", "gpt:4"
    )
    assert result.returncode == 2
    assert "unknown model 'gpt:4'" in result.stderr
    assert snapshot(project) == before


def test_gates_json_and_exit_code(project: Path, tmp_path: Path) -> None:
    (project / "app/core/extra.py").write_text("import os\n")
    report = tmp_path / "gates.json"
    result = backsmith("gates", str(project), "--only", "lint", "--json", str(report))
    assert result.returncode == 1
    assert "app/core/extra.py:1:8" in result.stdout and "some gates did not pass" in result.stdout
    data = json.loads(report.read_text())
    (lint,) = data["results"]
    assert lint["name"] == "lint" and lint["status"] == "failed"
    assert backsmith("gates", str(project), "--only", "nope").returncode == 2


def test_openapi_writes_the_document(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    result = backsmith("openapi", str(project), "--out", str(out))
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["openapi"].startswith("3.1") and "/auth/token" in document["paths"]


def test_mcp_without_its_extra_says_how_to_install_it() -> None:
    """The MCP server is an extra: without mcp, `backsmith mcp` explains instead of crashing."""
    script = (
        "import sys; sys.modules['mcp'] = None; sys.argv = ['backsmith', 'mcp'];"
        " from backsmith.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2, result.stderr
    assert "the MCP server needs the mcp package" in result.stderr
    assert "pip install 'backsmith[mcp]'" in result.stderr
    assert "Traceback" not in result.stderr
