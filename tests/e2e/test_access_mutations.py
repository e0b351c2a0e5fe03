"""A generated suite catches a broken access check: its oracle is not the code it tests.

The generated tests take their expected statuses from the design stage's access model
(`backsmith.design.access`), never from the context the runtime is rendered from. So a
mistake in the project's own access check, the kind a hand edit or a rendering bug would
make, fails the project's tests. Each case breaks `app/core/access.py` of a generated
project in one way, runs the project's suite until its first failure, and puts the file
back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from backsmith.spec import load_feature
from backsmith.spec.model import GrantKind
from tests.e2e.conftest import DOCUMENTS

pytestmark = pytest.mark.e2e

ACCESS = "app/core/access.py"
OWN_SCOPE = "    if rule.owner:\n        return Scope.OWN\n"
ROLE_MATCH = "rule.roles.intersection(user.roles)"


def _sole_role(document: Path) -> str | None:
    """A role that alone admits callers to some action: ignoring it must change a status."""
    spec = load_feature(document)
    for entity in spec.entities:
        for grants in entity.access.values():
            kinds = {g.kind for g in grants}
            if kinds & {GrantKind.PUBLIC, GrantKind.AUTHENTICATED}:
                continue
            roles = sorted(g.role for g in grants if g.kind is GrantKind.ROLE and g.role)
            if roles and len(roles) == len(grants):
                return roles[0]
    return None


def _owner_granted(document: Path) -> bool:
    """Some action's only way in for a plain user is owning the row."""
    spec = load_feature(document)
    return any(
        GrantKind.OWNER in {g.kind for g in grants}
        and not {g.kind for g in grants} & {GrantKind.PUBLIC, GrantKind.AUTHENTICATED}
        for entity in spec.entities
        for grants in entity.access.values()
    )


@pytest.fixture
def access_module(generated: Path) -> Iterator[Path]:
    """The project's access module, put back as generated after the test broke it."""
    path = generated / ACCESS
    original = path.read_text(encoding="utf-8")
    yield path
    path.write_text(original, encoding="utf-8")
    # A bytecode cache of the broken module could pass for the original (same size, same
    # second), and the project's other tests would run it.
    shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)


def _break(path: Path, old: str, new: str) -> None:
    source = path.read_text(encoding="utf-8")
    assert old in source, f"{path} no longer reads {old!r}: update this test's mutation"
    path.write_text(source.replace(old, new), encoding="utf-8")


def _assert_suite_fails(project: Path) -> None:
    """The project's own suite fails a test (stopped at the first)."""
    result = subprocess.run(
        [str(project / ".venv" / "bin" / "pytest"), "-x", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        # SQLite, the project's default; no bytecode of the broken module is left behind.
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    # 1 is "tests failed"; anything else (an import error, nothing collected) proves nothing.
    assert result.returncode == 1, f"the broken project's suite did not fail:\n{output[-4000:]}"
    assert any(line.startswith("FAILED ") for line in output.splitlines()), output[-4000:]


def _document(request: pytest.FixtureRequest) -> Path:
    document = request.node.callspec.params["generated"]
    assert document in DOCUMENTS
    return Path(document)


def test_owners_seeing_every_row_fails_the_generated_tests(
    request: pytest.FixtureRequest, generated: Path, access_module: Path
) -> None:
    if not _owner_granted(_document(request)):
        pytest.skip("no action admits a plain user by owning the row")
    _break(access_module, OWN_SCOPE, "    if rule.owner:\n        return Scope.ALL\n")
    _assert_suite_fails(generated)


def test_a_role_ignored_fails_the_generated_tests(
    request: pytest.FixtureRequest, generated: Path, access_module: Path
) -> None:
    role = _sole_role(_document(request))
    if role is None:
        pytest.skip("no action is open to roles alone")
    _break(
        access_module,
        ROLE_MATCH,
        f"rule.roles.intersection(r for r in user.roles if r != {role!r})",
    )
    _assert_suite_fails(generated)
