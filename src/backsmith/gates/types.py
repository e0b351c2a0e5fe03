"""The types gate: mypy as the project configures it (strict for projects made by `new`).

mypy reads the project's own configuration (`[tool.mypy]`, `mypy.ini`, `.mypy.ini`,
`setup.cfg`): strict only where the project is.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import time
import tomllib
from pathlib import Path

from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail

_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::\d+)?: error: (?P<message>.*)$")


def types_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    # mypy checks what the project tells it to (`files`); else the package and the tests.
    targets = (
        []
        if _configures_files(context.root)
        else [
            name
            for name in (context.profile.package.replace(".", "/"), "tests")
            if (context.root / name).is_dir()
        ]
    )
    completed = context.run(
        [
            "python",
            "-m",
            "mypy",
            "--cache-dir",
            str(_cache_dir(context.root)),
            *targets,
        ]
    )
    elapsed = time.perf_counter() - started
    output = completed.stdout + completed.stderr
    if "No module named mypy" in output:
        return GateResult(
            name="types",
            status=Status.ERROR,
            duration_s=elapsed,
            summary="mypy is not installed in the project's environment",
            failures=[Failure(message="install mypy in the project's environment")],
        )
    failures = [
        Failure(message=match["message"], location=f"{match['path']}:{match['line']}")
        for match in (_ERROR.match(line) for line in output.splitlines())
        if match
    ]
    if completed.returncode != 0 and not failures:
        failures.append(Failure(message="mypy failed", detail=tail(output)))
    return GateResult(
        name="types",
        status=Status.FAILED if completed.returncode != 0 else Status.PASSED,
        duration_s=elapsed,
        summary=f"{len(failures)} type errors" if failures else "no type errors",
        figures={"type_errors": len(failures)},
        failures=failures,
    )


def _cache_dir(root: Path) -> Path:
    """mypy's incremental cache for this project, outside it: the gates write nothing into
    a project, and a second run (the next round of LLM mode) checks only what changed.
    mypy itself drops a cache made by another version or other options."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return base / "backsmith" / "mypy" / key


def _configures_files(root: Path) -> bool:
    """Whether the project's mypy configuration names the files to check."""
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            mypy = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("mypy")
        except tomllib.TOMLDecodeError:
            mypy = None
        if isinstance(mypy, dict) and mypy.get("files"):
            return True
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        parser = configparser.ConfigParser()
        try:
            parser.read(root / name, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_option("mypy", "files"):
            return True
    return False
