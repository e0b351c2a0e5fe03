"""Formatting generated Python the way the target project formats it: with ruff.

Files are formatted in a scratch copy that carries the project's `pyproject.toml` (and
`ruff.toml`), so the project's own line length, import order and rules apply.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from backsmith.errors import StepFailed

_CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")


def format_python(files: dict[str, str], project_root: Path | None) -> dict[str, str]:
    """`files` with every `.py` fixed (`ruff check --fix`: imports) and formatted."""
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    with tempfile.TemporaryDirectory(prefix="backsmith-format-") as scratch:
        root = Path(scratch)
        for name in _CONFIG_FILES:
            source = (project_root / name) if project_root else None
            if name in files:
                (root / name).write_text(files[name], encoding="utf-8")
            elif source is not None and source.is_file():
                shutil.copyfile(source, root / name)
        if project_root is not None:
            _mirror_modules(project_root, root)
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        targets = sorted(python)
        ruff = find_ruff_bin()
        # Only safe fixes: unused imports the templates bring in generously, import order.
        _run([ruff, "check", "--fix-only", "--select", "F401,I", *targets], root)
        _run([ruff, "format", *targets], root)
        formatted = {path: (root / path).read_text(encoding="utf-8") for path in python}
    return {**files, **formatted}


_SKIPPED = {"node_modules", "venv", "env", "__pycache__", "build", "dist", "site-packages"}


def _mirror_modules(project_root: Path, scratch: Path) -> None:
    """Empty stand-ins for the project's modules: ruff sorts an import as first-party
    only when the module it names exists under the project's source roots."""
    for directory, subdirectories, names in os.walk(project_root):
        subdirectories[:] = [
            d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED
        ]
        relative = Path(directory).relative_to(project_root)
        for name in names:
            if name.endswith(".py"):
                (scratch / relative).mkdir(parents=True, exist_ok=True)
                (scratch / relative / name).touch()


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise StepFailed(
            "ruff could not format the generated code: " + (detail[0] if detail else "no output"),
            hint="a bug in backsmith's templates; please report it with the feature document",
        )
