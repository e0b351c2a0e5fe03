"""ruff formats as the project configures it; Alembic autogenerates only real changes."""

from __future__ import annotations

from pathlib import Path

from backsmith.formatting import format_python
from backsmith.migrations import autogenerate
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_project


def test_formatting_follows_the_project_line_length(tmp_path: Path) -> None:
    source = "import os\nimport sys\n\n\ndef f(a, b):\n    return [a, b, 'x' * 10, 'y' * 10]\n"
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 40\n")
    formatted = format_python({"m.py": source, "notes.txt": "kept as is"}, tmp_path)
    assert formatted["notes.txt"] == "kept as is"
    assert "import os" not in formatted["m.py"]  # unused imports go
    assert all(len(line) <= 40 for line in formatted["m.py"].splitlines())
    assert '"x" * 10' in formatted["m.py"]


def test_a_new_project_gets_one_revision_and_nothing_more(tmp_path: Path) -> None:
    files = render_project("demo")
    revision = autogenerate(None, files, "create users")
    assert revision is not None
    path, content = revision
    assert path.startswith("migrations/versions/") and path.endswith("_create_users.py")
    assert "op.create_table(" in content and 'sa.UniqueConstraint("email"' in content
    # With that revision in place, the models and the migrations agree: no new revision.
    assert autogenerate(None, {**files, path: content}, "nothing") is None
