"""The report: the backend section of `MULTI_AGENT_PLAN.md`, written from measured results.

Every box, figure and issue comes from a `GatesReport` (never from what was meant to be
done): a box is ticked only when the gate that proves it passed. Models, the service
layer and the endpoints are proved by the tests and types gates together; migrations by
the migrations gate; each other item by its own gate.

The section's boundary is a pair of HTML comment markers, `<!-- backsmith:begin -->` and
`<!-- backsmith:end -->`, around the `### Backend Development Progress` heading and its
body. Headings alone cannot bound it: plans made from the common multi-agent template
have their own shared `### Issues/Blockers` and `### Next Steps` sections, which a
heading rule would either swallow or stop at. Our own subsections are therefore `####`
headings inside the markers, children of the backend section. A file without markers but
with a `Backend Development Progress` heading (hand-written, or from the template) has
that heading's section replaced, up to the next heading of the same or a higher level;
a file with neither gets the section appended. Everything outside the replaced span is
kept byte for byte (line endings included), and lines inside fenced code blocks are
never taken for headings or markers.

The section depends only on the report (its date is the report's own `started_at`), so
writing the same report twice changes nothing, not even the file's modification time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC
from pathlib import Path

from pydantic import ValidationError

from backsmith.gates.model import Figure, GateResult, GatesReport, Status

PLAN_FILE = "MULTI_AGENT_PLAN.md"
REPORT_FILE = ".backsmith/gates.json"
BEGIN = "<!-- backsmith:begin -->"
END = "<!-- backsmith:end -->"
HEADING = "### Backend Development Progress"

# In the order the runner runs them; a gate missing from a report was not run.
GATE_ORDER = ("tests", "lint", "types", "migrations", "architecture", "openapi", "fuzz")

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SECTION_TITLE = "backend development progress"


def save_report(project: Path, report: GatesReport) -> Path:
    """Record `report` as the project's last gates run (`.backsmith/gates.json`)."""
    path = project / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def load_last_report(project: Path) -> GatesReport | None:
    """The last recorded gates run, or None if there is none that this backsmith can read."""
    path = project / REPORT_FILE
    try:
        return GatesReport.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (ValidationError, json.JSONDecodeError, UnicodeDecodeError):
        # Written by another version of backsmith, or damaged: a fresh run replaces it.
        return None


def write_report(
    project: Path,
    report: GatesReport,
    plan_items: Sequence[str] = (),
    rules_left: Sequence[str] = (),
) -> Path:
    """Write the backend section of the project's `MULTI_AGENT_PLAN.md`; returns its path.

    `plan_items` names what the plan implemented (entities such as `Doctor`), shown on the
    models, service and endpoints lines. `rules_left` are business rules written in prose
    that nobody implemented yet (`where: text`): blockers, listed as such.
    """
    path = project / PLAN_FILE
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as stream:
            original = stream.read()
    else:
        original = None
    newline = "\r\n" if original is not None and "\r\n" in original else "\n"
    block = newline.join(render_section(report, plan_items, rules_left)) + newline
    if original is None:
        title = f"# {project.resolve().name}: multi-agent plan{newline}{newline}"
        updated = title + block
    else:
        updated = replace_section(original, block, newline)
    if updated != original:
        with path.open("w", encoding="utf-8", newline="") as stream:
            stream.write(updated)
    return path


def replace_section(text: str, block: str, newline: str = "\n") -> str:
    """`text` with its backend section replaced by `block` (or `block` appended)."""
    lines = text.splitlines(keepends=True)
    span = _marked_span(lines) or _heading_span(lines)
    if span is None:
        if not text:
            return block
        separator = "" if text.endswith(("\n", "\r")) else newline
        blank = "" if text.endswith(("\n\n", "\r\n\r\n")) else newline
        return text + separator + blank + block
    start, end = span
    replaced = "".join(lines[start:end])
    if not replaced.endswith(("\n", "\r")):
        block = block.rstrip("\r\n")  # the span ended the file without a final newline
    return "".join(lines[:start]) + block + "".join(lines[end:])


def render_section(
    report: GatesReport, plan_items: Sequence[str] = (), rules_left: Sequence[str] = ()
) -> list[str]:
    """The lines of the section, markers included."""
    started = report.started_at
    started = started.replace(tzinfo=UTC) if started.tzinfo is None else started.astimezone(UTC)
    ran = list(report.results)
    passed = sum(1 for result in ran if result.status is Status.PASSED)
    lines = [
        BEGIN,
        HEADING,
        "",
        f"Measured by `backsmith gates` on {started:%Y-%m-%d %H:%M} UTC in "
        f"{report.duration_s:.1f} s: {passed} of {len(ran)} gates passed.",
        "",
    ]
    lines += [_checkbox(report, item, plan_items) for item in _ITEMS]
    lines += ["", "#### Issues/Blockers", ""]
    blocking = [r for r in ran if r.status in (Status.FAILED, Status.ERROR)]
    issues = [_issue(result) for result in blocking]
    issues += [f"- **business rule** not implemented yet: {_inline(rule)}" for rule in rules_left]
    lines += issues or ["- None: every gate that ran passed."]
    lines += ["", "#### Next Steps", ""]
    steps = _next_steps(report, blocking)
    if rules_left:
        todo = (
            f"- Implement the {len(rules_left)} business rule(s) written in prose: "
            "`backsmith implement DOC --llm anthropic:MODEL`, or by hand in the feature's "
            "`rules.py` hooks."
        )
        steps = [todo] if steps == ["- None: all gates pass."] else [*steps, todo]
    lines += steps
    lines.append(END)
    return lines


class _Item:
    """A checklist line: the gates that prove it, and how to show their figures."""

    def __init__(
        self,
        label: str,
        gates: tuple[str, ...],
        detail: Callable[[GateResult], str | None] | None = None,
        *,
        named: bool = False,
    ) -> None:
        self.label = label
        self.gates = gates
        self.detail = detail
        self.named = named  # lists the plan's items (entities) it covers


def _figure(result: GateResult, key: str) -> Figure | None:
    return result.figures.get(key)


def _number(value: Figure) -> str:
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    return str(value)


def _tests_detail(result: GateResult) -> str | None:
    counts = [
        f"{_number(value)} {key}"
        for key in ("passed", "failed", "skipped")
        if (value := _figure(result, key)) is not None
    ]
    coverage = _figure(result, "coverage")
    if coverage is not None:
        threshold = _figure(result, "coverage_threshold")
        limit = f" (threshold {_number(threshold)}%)" if threshold is not None else ""
        counts.append(f"coverage {_number(coverage)}%{limit}")
    return ", ".join(counts) or None


def _migrations_detail(result: GateResult) -> str | None:
    databases = _figure(result, "databases")
    return f"round trip and drift check on {databases}" if databases else None


def _openapi_detail(result: GateResult) -> str | None:
    figures = [
        f"{_number(value)} {key}"
        for key in ("operations", "paths", "schemas")
        if (value := _figure(result, key)) is not None
    ]
    return ", ".join(figures) or None


_ITEMS = (
    _Item("Database models", ("tests", "types"), named=True),
    _Item("Migrations", ("migrations",), _migrations_detail),
    _Item("Service layer", ("tests", "types"), named=True),
    _Item("API endpoints", ("tests", "types"), named=True),
    _Item("Tests", ("tests",), _tests_detail),
    _Item("Lint and format", ("lint",)),
    _Item("Types", ("types",)),
    _Item("Architecture", ("architecture",)),
    _Item("API docs (OpenAPI)", ("openapi",), _openapi_detail),
    _Item("Fuzzing", ("fuzz",)),
)


def _checkbox(report: GatesReport, item: _Item, plan_items: Sequence[str]) -> str:
    results = [report.result(name) for name in item.gates]
    proved = all(result is not None and result.passed for result in results)
    label = item.label
    if item.named and plan_items:
        label += f" ({', '.join(plan_items)})"
    if len(item.gates) > 1:
        states = [
            f"{name} {result.status.value if result else 'not run'}"
            for name, result in zip(item.gates, results, strict=True)
        ]
        detail = f"proved by {' and '.join(item.gates)}" if proved else ", ".join(states)
    else:
        result = results[0]
        detail = _single_detail(result, item)
    return f"- [{'x' if proved else ' '}] {label}: {_inline(detail)}"


def _single_detail(result: GateResult | None, item: _Item) -> str:
    if result is None:
        return "not run"
    measured = (item.detail(result) if item.detail else None) or result.summary
    if result.status is Status.ERROR:
        return f"could not run: {result.summary or _first_message(result)}"
    if result.status is Status.SKIPPED:
        return f"skipped{f' ({result.summary})' if result.summary else ''}"
    if result.status is Status.FAILED and not measured:
        return "failed"
    return measured or result.status.value


def _first_message(result: GateResult) -> str:
    return result.failures[0].message if result.failures else result.status.value


def _issue(result: GateResult) -> str:
    verdict = "could not run" if result.status is Status.ERROR else "failed"
    if not result.failures:
        return f"- **{result.name}** {verdict}: {_inline(result.summary or 'no detail given')}"
    first = result.failures[0]
    where = f"{_code(first.location)}: " if first.location else ""
    more = len(result.failures) - 1
    extra = f" (and {more} more)" if more else ""
    return f"- **{result.name}** {verdict}: {where}{_inline(first.message)}{extra}"


_ACTIONS = {
    "tests": "Fix the failing tests, or raise coverage to the threshold",
    "lint": "Run `ruff check --fix` and `ruff format`, then fix what remains",
    "types": "Fix the mypy errors",
    "migrations": "Make the migrations apply, revert and match the models (`alembic check`)",
    "architecture": "Restore the layering the import contracts describe",
    "openapi": "Document every status the routes can return, as problem+json",
    "fuzz": "Fix the responses the fuzzer found that break the HTTP contract",
}


def _next_steps(report: GatesReport, blocking: Sequence[GateResult]) -> list[str]:
    steps: list[str] = []
    for result in blocking:
        first = result.failures[0] if result.failures else None
        if result.status is Status.ERROR:
            where = f" ({_code(first.location)})" if first and first.location else ""
            problem = _inline(_first_message(result)).rstrip(".")
            steps.append(f"- Make the {result.name} gate runnable{where}: {problem}.")
            continue
        action = _ACTIONS.get(result.name, f"Fix what the {result.name} gate found")
        if result.name == "tests" and result.figures:
            action = _tests_action(result) or action
        hint = f" (first: {_code(first.location)})" if first and first.location else ""
        steps.append(f"- {action}{hint}.")
    ran = {result.name for result in report.results}
    missing = [name for name in GATE_ORDER if name not in ran]
    if missing:
        only = " ".join(f"--only {name}" for name in missing)
        steps.append(f"- Run the gates not run yet: `backsmith gates {only}`.")
    return steps or ["- None: all gates pass."]


def _tests_action(result: GateResult) -> str | None:
    failed = _figure(result, "failed")
    coverage = _figure(result, "coverage")
    threshold = _figure(result, "coverage_threshold")
    parts = []
    if isinstance(failed, int | float) and failed:
        parts.append(f"fix the {_number(failed)} failing tests")
    if (
        isinstance(coverage, int | float)
        and isinstance(threshold, int | float)
        and coverage < threshold
    ):
        parts.append(f"raise coverage from {_number(coverage)}% to {_number(threshold)}%")
    if not parts:
        return None
    text = " and ".join(parts)
    return text[0].upper() + text[1:]


def _inline(text: str) -> str:
    """One line of Markdown; an HTML comment opener would end our own markers early."""
    return " ".join(text.split()).replace("<!--", "&lt;!--")


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    padding = " " if "`" in text else ""
    return f"{fence}{padding}{_inline(text)}{padding}{fence}"


def _outside_fences(lines: Sequence[str]) -> list[tuple[int, str]]:
    """(index, line without its ending) of each line that is not inside a fenced code block."""
    visible: list[tuple[int, str]] = []
    fence: str | None = None
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and _closes(fence, opener.group(1), line):
                fence = None
            continue
        if opener:
            fence = opener.group(1)
            continue
        visible.append((index, line))
    return visible


def _closes(fence: str, candidate: str, line: str) -> bool:
    """A closing fence: the opener's character, at least as long, nothing after it."""
    return (
        candidate[0] == fence[0]
        and len(candidate) >= len(fence)
        and not line.strip().lstrip(fence[0])
    )


def _marked_span(lines: Sequence[str]) -> tuple[int, int] | None:
    visible = _outside_fences(lines)
    begin = next((i for i, line in visible if line.strip() == BEGIN), None)
    if begin is None:
        return None
    end = next((i for i, line in visible if i > begin and line.strip() == END), None)
    if end is not None:
        return begin, end + 1
    # A begin marker whose end was deleted: take the section its heading spans.
    return begin, _section_end(visible, begin, 3, len(lines))


def _heading_span(lines: Sequence[str]) -> tuple[int, int] | None:
    visible = _outside_fences(lines)
    for index, line in visible:
        match = _HEADING.match(line)
        if match and (match.group(2) or "").strip().lower() == _SECTION_TITLE:
            return index, _section_end(visible, index, len(match.group(1)), len(lines))
    return None


def _section_end(visible: Sequence[tuple[int, str]], start: int, level: int, total: int) -> int:
    """The line after the section from `start`: the next heading of level `level` or
    higher that is not our own, with the blank lines before it left outside."""
    end = total
    for index, line in visible:
        if index <= start:
            continue
        match = _HEADING.match(line)
        if match and len(match.group(1)) <= level and line.strip() != HEADING:
            end = index
            break
    blanks = {index for index, line in visible if not line.strip()}
    while end - 1 > start and end - 1 in blanks:
        end -= 1
    return end
