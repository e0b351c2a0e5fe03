"""Golden files: the exact code the blueprint renders for each example document.

A template change shows up here as a readable diff. After an intended change, rewrite
the expected files with `make golden` (BACKSMITH_UPDATE_GOLDEN=1) and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backsmith.formatting import format_python
from backsmith.spec import load_feature
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_feature, render_project

REPO = Path(__file__).resolve().parents[2]
EXPECTED = Path(__file__).parent / "expected"
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.suffix in {".md", ".yaml", ".yml"})
UPDATE = os.environ.get("BACKSMITH_UPDATE_GOLDEN") == "1"


def _rendered(example: Path) -> dict[str, str]:
    files = render_feature(load_feature(example))
    # Formatted as a new project formats them: with its own pyproject.toml.
    pyproject = render_project("demo")["pyproject.toml"]
    formatted = format_python({**files, "pyproject.toml": pyproject}, None)
    del formatted["pyproject.toml"]
    return formatted


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_rendered_feature_matches_golden_files(example: Path) -> None:
    rendered = _rendered(example)
    root = EXPECTED / example.stem
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
