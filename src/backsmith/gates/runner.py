"""Runs the selected gates in order, each in its own scratch directory, and records them."""

from __future__ import annotations

import importlib
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from backsmith.errors import BacksmithError
from backsmith.gates.model import Failure, Gate, GateContext, GateResult, GatesReport, Status
from backsmith.migrations import project_python
from backsmith.project.profile import load_profile

# In the order they run: cheap and fundamental first, fuzzing last.
GATE_NAMES = ("tests", "lint", "types", "migrations", "architecture", "openapi", "fuzz")


def gate(name: str) -> Gate:
    """The gate function `backsmith.gates.<name>.<name>_gate`."""
    module = importlib.import_module(f"backsmith.gates.{name}")
    function: Gate = getattr(module, f"{name}_gate")
    return function


def select(only: Sequence[str] = (), skip: Sequence[str] = ()) -> list[str]:
    for name in (*only, *skip):
        if name not in GATE_NAMES:
            raise BacksmithError(
                f"unknown gate {name!r}", hint=f"the gates are {', '.join(GATE_NAMES)}"
            )
    chosen = [name for name in GATE_NAMES if not only or name in only]
    return [name for name in chosen if name not in skip]


def run_gates(
    project: Path,
    names: Sequence[str] = GATE_NAMES,
    *,
    database_url: str | None = None,
    fuzz_examples: int = 50,
    on_start: Callable[[str], None] = lambda name: None,
    on_finish: Callable[[GateResult], None] = lambda result: None,
) -> GatesReport:
    """Run `names` against `project`; every gate runs, whatever the earlier ones found."""
    profile = load_profile(project)
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    results: list[GateResult] = []
    with tempfile.TemporaryDirectory(prefix="backsmith-gates-") as scratch:
        for name in names:
            on_start(name)
            directory = Path(scratch) / name
            directory.mkdir()
            context = GateContext(
                root=profile.root,
                profile=profile,
                python=project_python(profile.root),
                scratch=directory,
                database_url=database_url,
                fuzz_examples=fuzz_examples,
            )
            result = _run_one(name, context)
            results.append(result)
            on_finish(result)
    report = GatesReport(
        project=profile.root,
        started_at=started_at,
        duration_s=round(time.perf_counter() - started, 2),
        results=results,
    )
    from backsmith.report import save_report

    save_report(profile.root, report)
    return report


def _run_one(name: str, context: GateContext) -> GateResult:
    started = time.perf_counter()
    try:
        result = gate(name)(context)
    except Exception as error:  # a gate's own bug must not hide the other gates' results
        result = GateResult(
            name=name,
            status=Status.ERROR,
            summary=f"the {name} gate crashed",
            failures=[Failure(message=f"{type(error).__name__}: {error}")],
        )
    result.duration_s = round(time.perf_counter() - started, 2)
    return result
