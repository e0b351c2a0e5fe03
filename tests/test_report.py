"""The backend section of MULTI_AGENT_PLAN.md: measured figures, nothing else touched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from backsmith.gates.model import Failure, GateResult, GatesReport, Status
from backsmith.report import (
    BEGIN,
    END,
    PLAN_FILE,
    load_last_report,
    save_report,
    write_report,
)

BEFORE = """\
# shop: multi-agent plan

## Project Overview
Agents share this file.

### Frontend Development Progress
- [x] Login page
```md
### Backend Development Progress
(an example inside a code block is not the section)
```

"""
AFTER = """
### Issues/Blockers
- frontend: waiting for the design

### Next Steps
- ship it
"""


def _passing(name: str, **figures: int | float | str) -> GateResult:
    return GateResult(name=name, status=Status.PASSED, summary=f"{name} ok", figures=figures)


def _report(*results: GateResult, duration: float = 61.25) -> GatesReport:
    return GatesReport(
        project=Path("/somewhere"),
        started_at=datetime(2026, 11, 26, 9, 30, 12, tzinfo=UTC),
        duration_s=duration,
        results=list(results),
    )


FAILING_TESTS = GateResult(
    name="tests",
    status=Status.FAILED,
    summary="41 passed, 2 failed, 1 skipped, coverage 87.5%",
    figures={"passed": 41, "failed": 2, "skipped": 1, "coverage": 87.5, "coverage_threshold": 90},
    failures=[
        Failure(message="assert 404 == 200", location="tests/shop/test_item.py::test_read"),
        Failure(message="assert 1 == 2", location="tests/shop/test_item.py::test_list"),
    ],
)
ALL_PASSING = _report(
    _passing("tests", passed=57, failed=0, skipped=0, coverage=96.31, coverage_threshold=90),
    _passing("lint"),
    _passing("types"),
    _passing("migrations", databases="sqlite, postgresql"),
    _passing("architecture"),
    _passing("openapi", operations=18, paths=9, schemas=21),
    _passing("fuzz"),
)


def _section(text: str) -> str:
    return text[text.index(BEGIN) : text.index(END) + len(END)]


def test_only_the_backend_section_changes(tmp_path: Path) -> None:
    plan = tmp_path / PLAN_FILE
    plan.write_bytes((BEFORE + "### Backend Development Progress\n- [ ] hopes\n" + AFTER).encode())

    write_report(tmp_path, ALL_PASSING)

    text = plan.read_text()
    assert text.startswith(BEFORE + BEGIN + "\n### Backend Development Progress\n")
    assert text.endswith(END + "\n" + AFTER)
    assert "hopes" not in text
    # The plan's own shared Issues/Next Steps stay; ours are subsections inside the markers.
    assert text.count("### Next Steps") == 2 and "#### Next Steps" in _section(text)


def test_writing_twice_changes_nothing(tmp_path: Path) -> None:
    plan = tmp_path / PLAN_FILE
    plan.write_bytes(b"# plan\r\n\r\nIntro.\r\n\r\n## Later\r\nkept\r\n")
    write_report(tmp_path, _report(FAILING_TESTS))
    first = plan.read_bytes()
    stamp = plan.stat().st_mtime_ns

    write_report(tmp_path, _report(FAILING_TESTS))

    assert plan.read_bytes() == first
    assert plan.stat().st_mtime_ns == stamp  # not even rewritten
    assert first.startswith(
        b"# plan\r\n\r\nIntro.\r\n\r\n## Later\r\nkept\r\n\r\n" + BEGIN.encode()
    )
    assert b"\n" not in first.replace(b"\r\n", b"")  # the file's line endings are kept


def test_a_new_report_replaces_the_section_in_place(tmp_path: Path) -> None:
    plan = tmp_path / PLAN_FILE
    plan.write_text(BEFORE + AFTER)
    write_report(tmp_path, _report(FAILING_TESTS))
    assert plan.read_text().startswith(BEFORE + AFTER)  # appended: nothing to replace yet

    write_report(tmp_path, ALL_PASSING)

    text = plan.read_text()
    assert text.startswith(BEFORE + AFTER)
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "41 passed" not in text and "57 passed" in text


def test_the_measured_figures_appear(tmp_path: Path) -> None:
    path = write_report(tmp_path, ALL_PASSING, plan_items=["Item", "Order"])
    section = _section(path.read_text())
    assert (
        "Measured by `backsmith gates` on 2026-11-26 09:30 UTC in 61.2 s: 7 of 7 gates passed."
        in section
    )
    for line in (
        "- [x] Database models (Item, Order): proved by tests and types",
        "- [x] Migrations: round trip and drift check on sqlite, postgresql",
        "- [x] Service layer (Item, Order): proved by tests and types",
        "- [x] API endpoints (Item, Order): proved by tests and types",
        "- [x] Tests: 57 passed, 0 failed, 0 skipped, coverage 96.31% (threshold 90%)",
        "- [x] Lint and format: lint ok",
        "- [x] API docs (OpenAPI): 18 operations, 9 paths, 21 schemas",
        "- [x] Fuzzing: fuzz ok",
        "- None: every gate that ran passed.",
        "- None: all gates pass.",
    ):
        assert line in section.splitlines(), line


def test_a_failing_gate_is_a_blocker_with_its_first_failure(tmp_path: Path) -> None:
    broken_import = GateResult(
        name="openapi",
        status=Status.ERROR,
        summary="the app does not import: NameError: name 'x' is not defined",
        failures=[
            Failure(
                message="the app does not import: NameError: name 'x' is not defined",
                location="app/shop/router.py:12",
            )
        ],
    )
    report = _report(FAILING_TESTS, _passing("types"), broken_import)

    lines = _section(write_report(tmp_path, report).read_text()).splitlines()

    assert "- [ ] Tests: 41 passed, 2 failed, 1 skipped, coverage 87.5% (threshold 90%)" in lines
    assert "- [ ] Service layer: tests failed, types passed" in lines
    assert (
        "- [ ] API docs (OpenAPI): could not run: "
        "the app does not import: NameError: name 'x' is not defined"
    ) in lines
    assert "- [ ] Fuzzing: not run" in lines
    issues = lines[lines.index("#### Issues/Blockers") + 2 : lines.index("#### Next Steps") - 1]
    assert issues == [
        "- **tests** failed: `tests/shop/test_item.py::test_read`: assert 404 == 200 (and 1 more)",
        "- **openapi** could not run: `app/shop/router.py:12`: "
        "the app does not import: NameError: name 'x' is not defined",
    ]
    steps = lines[lines.index("#### Next Steps") + 2 : -1]
    assert steps[0] == (
        "- Fix the 2 failing tests and raise coverage from 87.5% to 90% "
        "(first: `tests/shop/test_item.py::test_read`)."
    )
    assert steps[1].startswith("- Make the openapi gate runnable (`app/shop/router.py:12`)")
    assert steps[2] == (
        "- Run the gates not run yet: "
        "`backsmith gates --only lint --only migrations --only architecture --only fuzz`."
    )


def test_a_missing_plan_is_created_with_a_title(tmp_path: Path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    path = write_report(project, ALL_PASSING)
    assert path == project / PLAN_FILE
    text = path.read_text()
    assert text.startswith("# shop: multi-agent plan\n\n" + BEGIN + "\n")
    assert text.endswith(END + "\n")


def test_the_last_report_round_trips(tmp_path: Path) -> None:
    assert load_last_report(tmp_path) is None
    report = _report(FAILING_TESTS, _passing("lint"))
    save_report(tmp_path, report)
    assert (tmp_path / ".backsmith/gates.json").is_file()
    assert load_last_report(tmp_path) == report
    (tmp_path / ".backsmith/gates.json").write_text("{not json")
    assert load_last_report(tmp_path) is None
