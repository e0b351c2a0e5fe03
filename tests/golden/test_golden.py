"""Golden files: the exact code backsmith writes for each example document.

For new projects, what the blueprint renders; for the fixture projects under
tests/fixtures/projects (projects backsmith did not write), every file `implement` would
create or change there, each example they can take. A template change shows up here as a
readable diff. After an intended change, rewrite the expected files with `make golden`
(BACKSMITH_UPDATE_GOLDEN=1) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backsmith.errors import SpecError
from backsmith.formatting import format_python
from backsmith.plan import stage_feature
from backsmith.project.inspect import inspect_project
from backsmith.spec import load_feature
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_feature, render_project

REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).parent / "expected"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in {".md", ".yaml", ".yml"})
UPDATE = os.environ.get("BACKSMITH_UPDATE_GOLDEN") == "1"
FIXTURES = REPO / "tests" / "fixtures" / "projects"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _rendered(example: Path) -> dict[str, str]:
    files = render_feature(load_feature(example))
    # Formatted as a new project formats them: with its own pyproject.toml.
    pyproject = render_project("demo")["pyproject.toml"]
    formatted = format_python({**files, "pyproject.toml": pyproject}, None)
    del formatted["pyproject.toml"]
    return formatted


def _implemented_in(project: str, example: Path) -> dict[str, str] | None:
    """What `implement` stages in the fixture project (no migration: Alembic's revision id
    and date change every run); None when the project cannot take the example."""
    root = FIXTURES / project
    try:
        spec, profile = load_feature(example), inspect_project(root)
        workspace = stage_feature(spec, profile, with_migration=False)
    except SpecError:
        return None  # refused with its location; tests/project checks those refusals
    return {change.path: change.content for change in workspace.pending()}


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_rendered_feature_matches_golden_files(example: Path) -> None:
    _compare(_rendered(example), EXPECTED / example.stem)


@pytest.mark.parametrize("project", PROJECTS)
def test_implemented_feature_in_a_fixture_project_matches_golden_files(project: str) -> None:
    taken = 0
    for example in EXAMPLES:
        staged = _implemented_in(project, example)
        root = EXPECTED / "projects" / project / example.stem
        if staged is None:
            assert not root.exists(), f"{project} no longer takes {example.name}: run `make golden`"
            continue
        taken += 1
        _compare(staged, root)
    assert taken, f"{project} takes none of the examples"


def _compare(rendered: dict[str, str], root: Path) -> None:
    if UPDATE:
        for old in root.rglob("*") if root.exists() else []:
            if old.is_file():
                old.unlink()
        for path, content in rendered.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    expected = {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in root.rglob("*")
        if p.is_file()
    }
    assert sorted(rendered) == sorted(expected), "files added or removed: run `make golden`"
    for path, content in rendered.items():
        assert content == expected[path], f"{path} differs from its golden file: run `make golden`"
