"""Code that runs inside a target project, in the project's own interpreter.

Each module here is a script run by file path (`python <path> ARGS`, see `script`) or copied
into a gate's scratch directory or into the project (`checks.py`, the cross-field checks'
runtime, which backsmith also loads by path to evaluate test data); none is imported by
backsmith itself. A project's
interpreter need not have backsmith installed (a generated project has its own `.venv`), so
these modules import only the standard library and the project's own libraries (Alembic
and SQLAlchemy; schemathesis and Hypothesis for fuzzing), never `backsmith`. They are
checked by backsmith's ruff and `mypy --strict` like the rest of its code.

Run by path, Python puts the script's folder first on `sys.path`, where `python -c` put the
working directory (the project): each script that imports the project's code gives the
project that place back first (`sys.path[0] = os.getcwd()`), so its modules import as its
own tests import them and nothing of backsmith's shadows them. The fuzz suite, run by
pytest from scratch, puts the project on the path itself.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def script(name: str) -> str:
    """The path of the runtime module `name`, to run in the project's interpreter."""
    path = FOLDER / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(path)
    return str(path)
