"""ruff formats as the project configures it; Alembic autogenerates only real changes."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from backsmith.formatting import format_python
from backsmith.migrations import autogenerate
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_project, users_revision


def test_formatting_follows_the_project_line_length(tmp_path: Path) -> None:
    source = "import os\nimport sys\n\n\ndef f(a, b):\n    return [a, b, 'x' * 10, 'y' * 10]\n"
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 40\n")
    formatted = format_python({"m.py": source, "notes.txt": "kept as is"}, tmp_path)
    assert formatted["notes.txt"] == "kept as is"
    assert "import os" not in formatted["m.py"]  # unused imports go
    assert all(len(line) <= 40 for line in formatted["m.py"].splitlines())
    assert '"x" * 10' in formatted["m.py"]


def test_a_new_project_ships_the_revision_alembic_autogenerates(tmp_path: Path) -> None:
    files = render_project("demo")
    shipped = [path for path in files if path.startswith("migrations/versions/")]
    assert len(shipped) == 1 and shipped[0].endswith("_create_users.py")
    without = {path: text for path, text in files.items() if path not in shipped}
    revision = autogenerate(None, without, "create users")
    assert revision is not None
    path, content = revision
    # Byte for byte what Alembic writes, given the id and date it chose.
    ids = re.search(r"^Revision ID: (\w+)$", content, re.MULTILINE)
    date = re.search(r"^Create Date: (.+)$", content, re.MULTILINE)
    assert ids is not None and date is not None
    made = users_revision(datetime.fromisoformat(date.group(1)), ids.group(1))
    assert made == (path, content)
    # With the shipped revision in place, the models and the migrations agree: no new revision.
    assert autogenerate(None, files, "nothing") is None
