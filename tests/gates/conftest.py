"""A small generated project per test session, copied for each test that breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from backsmith.gates.model import GateContext, GateResult
from backsmith.gates.runner import gate
from backsmith.project.profile import load_profile

NOTES = """\
feature: notes
entities:
  Note:
    owned: true
    fields:
      title: str(1..80)
      body: text?
    list: {sort: [title], search: [title]}
"""


def new_project(parent: Path, document_text: str) -> Path:
    """`backsmith new demo --feature DOCUMENT` in `parent`; returns the project."""
    document = parent / "feature.yaml"
    document.write_text(document_text)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backsmith",
            "new",
            "demo",
            "-C",
            str(parent),
            "--feature",
            str(document),
        ],
        check=True,
        capture_output=True,
    )
    return parent / "demo"


@pytest.fixture(scope="session")
def generated_notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return new_project(tmp_path_factory.mktemp("notes"), NOTES)


@pytest.fixture
def project(generated_notes: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo"
    shutil.copytree(generated_notes, copy)
    return copy


RunGate = Callable[..., GateResult]


@pytest.fixture
def run_gate() -> RunGate:
    """Run one gate on a project, as `backsmith gates --only NAME` would."""

    def run(name: str, root: Path, **options: object) -> GateResult:
        profile = load_profile(root)
        with tempfile.TemporaryDirectory() as scratch:
            context = GateContext(
                root=profile.root,
                profile=profile,
                python=sys.executable,
                scratch=Path(scratch),
                **options,
            )
            return gate(name)(context)

    return run


# A route the project serves but `create_app()` does not make: added to the module after
# `app = create_app()`, as a hurried hand edit would. It answers 500 for n=7.
LUCKY_ROUTE = """

from typing import Annotated  # noqa: E402

from fastapi import Path  # noqa: E402


@app.get("/lucky/{n}")
async def lucky(n: Annotated[int, Path(ge=1, le=9)]) -> dict[str, int]:
    if n == 7:
        raise RuntimeError("seven is unlucky")
    return {"n": n}
"""


@pytest.fixture
def served_route(project: Path) -> Path:
    """The generated project with `LUCKY_ROUTE` appended to `app/main.py`."""
    main = project / "app/main.py"
    source = main.read_text()
    assert "\napp = create_app()\n" in source, "the generated app/main.py changed shape"
    main.write_text(source + LUCKY_ROUTE)
    return project
