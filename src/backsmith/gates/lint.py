"""The lint gate: `ruff check` and `ruff format --check`, with the project's configuration."""

from __future__ import annotations

import json
import time

from ruff.__main__ import find_ruff_bin

from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail


def _ruff(context: GateContext) -> list[str]:
    """The project's own ruff when its interpreter has one, else backsmith's."""
    if context.run(["python", "-m", "ruff", "--version"]).returncode == 0:
        return ["python", "-m", "ruff"]
    return [find_ruff_bin()]


def _unformatted(context: GateContext, ruff: list[str]) -> tuple[list[str], str]:
    """Files `ruff format` would change (relative paths), and an error if it failed.

    Newer ruff reports as JSON; older ones only print `Would reformat: PATH` lines.
    """
    check = [*ruff, "format", "--check", "--no-cache"]
    completed = context.run([*check, "--output-format", "json", "."])
    if completed.returncode in (0, 1):
        try:
            items = json.loads(completed.stdout or "[]")
        except json.JSONDecodeError:
            items = None
        if items is not None:
            names = {str(item.get("filename", "")) for item in items}
            return sorted(n.removeprefix(str(context.root) + "/") for n in names), ""
    completed = context.run([*check, "."])
    if completed.returncode not in (0, 1):
        return [], tail(completed.stderr)
    prefix = "Would reformat: "
    names = {
        line.removeprefix(prefix).strip()
        for line in completed.stdout.splitlines()
        if line.startswith(prefix)
    }
    return sorted(names), ""


def lint_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    ruff = _ruff(context)
    failures: list[Failure] = []
    check = context.run([*ruff, "check", "--output-format", "json", "--no-cache", "."])
    try:
        diagnostics = json.loads(check.stdout or "[]")
    except json.JSONDecodeError:
        return GateResult(
            name="lint",
            status=Status.ERROR,
            duration_s=time.perf_counter() - started,
            summary="ruff check did not run",
            failures=[Failure(message="ruff check failed", detail=tail(check.stderr))],
        )
    for item in diagnostics:
        where = item.get("location") or {}
        filename = str(item.get("filename", ""))
        relative = filename.removeprefix(str(context.root) + "/")
        failures.append(
            Failure(
                message=f"{item.get('code') or 'syntax'}: {item.get('message')}",
                location=f"{relative}:{where.get('row')}:{where.get('column')}",
            )
        )
    unformatted, problem = _unformatted(context, ruff)
    failures += [
        Failure(message="not formatted (run `ruff format`)", location=path) for path in unformatted
    ]
    if problem:
        failures.append(Failure(message="ruff format failed", detail=problem))
    return GateResult(
        name="lint",
        status=Status.FAILED if failures else Status.PASSED,
        duration_s=time.perf_counter() - started,
        summary=f"{len(diagnostics)} lint problems, {len(unformatted)} files to format",
        figures={"lint_problems": len(diagnostics), "unformatted_files": len(unformatted)},
        failures=failures,
    )
