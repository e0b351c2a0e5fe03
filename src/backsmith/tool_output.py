"""What a failed tool of the project said went wrong, read out of its output.

A project's Alembic, settings or test runner fail with a Python traceback; the user needs
its last words (the exception, and the lines that belong to it), not the traceback's
last line, which is often a link (pydantic's "For further information visit ...",
SQLAlchemy's "Background on this error at ...").
"""

from __future__ import annotations

import re

# The line a Python traceback ends with: `package.module.SomeError: what went wrong`.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Failure)\b.*?:\s")
MAX_LINES = 12  # of the exception's message (a settings error lists each missing setting)


def exception_line(output: str) -> str:
    """The last exception line of `output`, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    raised = [line for line in lines if EXCEPTION_LINE.match(line)]
    if raised:
        return raised[-1]
    return lines[-1] if lines else "no output"


def what_it_said(output: str) -> str:
    """The last exception and the lines of its message, preceded by where in the
    project's own code it was raised (the innermost frame outside installed packages,
    with its source line); without a traceback, the last three lines."""
    lines = [line.rstrip() for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return "no output"
    ends = [i for i, line in enumerate(lines) if EXCEPTION_LINE.match(line)]
    if not ends:
        return "\n".join(lines[-3:])
    start = ends[-1]
    said = lines[start : start + MAX_LINES]
    frames = [
        i
        for i in range(start)
        if lines[i].lstrip().startswith('File "') and "site-packages" not in lines[i]
    ]
    if frames:
        where = lines[frames[-1] : frames[-1] + 2]
        said = [line.strip() for line in where if not EXCEPTION_LINE.match(line)] + said
    return "\n".join(said)
