"""The tests gate: the project's own test suite, with line coverage of the app.

pytest runs in the project with its own configuration (testpaths, addopts, plugins);
coverage is measured on the profile's package against `coverage_threshold` (90 unless
`[tool.backsmith] coverage_threshold` says otherwise).

Results are read from the files pytest and coverage write (JUnit XML, coverage JSON) in
the scratch directory, never from scraped text; nothing is written into the project.
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail

MAX_FAILURES = 20


def tests_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    junit = context.scratch / "tests-junit.xml"
    coverage_json = context.scratch / "coverage.json"
    package = context.profile.package
    data_file = context.scratch / ".coverage"
    pytest = ["-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", "-q"]
    # pytest-cov where the project has it; else coverage.py itself around pytest, as a
    # project whose scripts say `coverage run -m pytest` measures it.
    with_plugin = context.run(["python", "-c", "import pytest_cov"]).returncode == 0
    if with_plugin:
        args = ["python", *pytest, f"--cov={package}", f"--cov-report=json:{coverage_json}"]
        args.append("--cov-report=")
    elif context.run(["python", "-c", "import coverage"]).returncode == 0:
        args = ["python", "-m", "coverage", "run", f"--source={package}", *pytest]
    else:
        return GateResult(
            name="tests",
            status=Status.ERROR,
            duration_s=time.perf_counter() - started,
            summary="no coverage tool in the project's environment",
            failures=[
                Failure(
                    message=f"{context.python} has neither pytest-cov nor coverage: line "
                    "coverage cannot be measured",
                    detail="add pytest-cov (or coverage) to the project's dev dependencies",
                )
            ],
        )
    # A suite written to run in parallel (`test_parallel`) gets two workers; any other runs
    # as its own configuration says (its addopts may ask for xdist itself).
    # (Workers under a bare `coverage run` would go unmeasured: only with pytest-cov.)
    if (
        with_plugin
        and context.profile.value("test_parallel") == "xdist"
        and context.run(["python", "-c", "import xdist"]).returncode == 0
    ):
        args += ["-n", "2"]
    completed = context.run(args, env={"COVERAGE_FILE": str(data_file)})
    if not with_plugin and data_file.is_file():
        report = ["python", "-m", "coverage", "json", "-q", "-o", str(coverage_json)]
        context.run(report, env={"COVERAGE_FILE": str(data_file)})
    elapsed = time.perf_counter() - started
    if not junit.is_file():
        return GateResult(
            name="tests",
            status=Status.ERROR,
            duration_s=elapsed,
            summary="pytest did not run",
            failures=[
                Failure(
                    message="pytest could not start",
                    detail=tail(completed.stdout + completed.stderr),
                )
            ],
        )
    counts, failures = _read_junit(junit)
    coverage = _read_coverage(coverage_json)
    threshold = context.profile.coverage_threshold
    figures: dict[str, int | float | str] = {**counts, "coverage_threshold": threshold}
    if coverage is not None:
        figures["coverage"] = round(coverage, 2)
    if counts["passed"] + counts["failed"] == 0:
        failures.append(Failure(message="no test ran"))
    if coverage is None:
        failures.append(Failure(message=f"no coverage was measured for `{package}`"))
    elif coverage < threshold:
        failures.append(
            Failure(
                message=f"line coverage of {package} is {coverage:.1f}%, below the "
                f"threshold of {threshold}%",
                detail="raise it with tests, or set [tool.backsmith] coverage_threshold",
            )
        )
    status = Status.FAILED if failures else Status.PASSED
    summary = (
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
        + (f", coverage {coverage:.1f}%" if coverage is not None else "")
    )
    return GateResult(
        name="tests",
        status=status,
        duration_s=elapsed,
        summary=summary,
        figures=figures,
        failures=failures[:MAX_FAILURES],
    )


def _read_junit(path: Path) -> tuple[dict[str, int], list[Failure]]:
    root = ElementTree.parse(path).getroot()  # noqa: S314 - written by pytest, just now
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    failures: list[Failure] = []
    for case in root.iter("testcase"):
        for problem in (*case.findall("failure"), *case.findall("error")):
            location = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
            failures.append(
                Failure(
                    message=(problem.get("message") or problem.tag).splitlines()[0][:300],
                    location=location,
                    detail=tail(problem.text or "", 25),
                )
            )
    counts = {
        "passed": total - failed - skipped,
        "failed": failed,
        "skipped": skipped,
    }
    return counts, failures


def _read_coverage(path: Path) -> float | None:
    if not path.is_file():
        return None
    totals = json.loads(path.read_text(encoding="utf-8")).get("totals", {})
    percent = totals.get("percent_covered")
    return float(percent) if percent is not None else None
