"""The command line: thin commands over `backsmith.pipeline`, printed with Rich."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from backsmith import __version__
from backsmith.errors import EXIT_FAILED, EXIT_OK, BacksmithError

if TYPE_CHECKING:  # imported where used: `backsmith --help` should not load the pipeline
    from backsmith.gates.model import GateResult, GatesReport
    from backsmith.pipeline import ImplementResult
    from backsmith.plan import FeaturePlan
    from backsmith.spec import DocumentWarning

app = typer.Typer(
    name="backsmith",
    help="A backend engineer you can run: feature documents in, tested FastAPI features out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

DocumentArg = Annotated[
    Path, typer.Argument(help="The feature document: PRP Markdown or YAML.", show_default=False)
]
ProjectOption = Annotated[
    Path, typer.Option("--project", "-p", help="The project directory.", file_okay=False)
]


def _version(value: bool) -> None:
    if value:
        out.print(f"backsmith {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """backsmith reads a feature document and implements it in a FastAPI project."""


def _print_plan(plan: FeaturePlan, title: str) -> None:
    table = Table(title=title, show_lines=False)
    table.add_column("action")
    table.add_column("file")
    table.add_column("why")
    styles = {"create": "green", "update": "yellow", "delete": "red", "unchanged": "dim"}
    for file in plan.files:
        table.add_row(f"[{styles.get(file.action, '')}]{file.action}[/]", file.path, file.reason)
    out.print(table)
    if plan.migration:
        out.print(f"migration: {plan.migration}")


def _print_warnings(warnings: list[DocumentWarning]) -> None:
    """`file:line:col: warning: ...`, one line each (never wrapped), on stderr."""
    for warning in warnings:
        err.print(Text(str(warning), style="yellow"), soft_wrap=True)


@app.command()
def validate(document: DocumentArg) -> None:
    """Check a feature document; print what it declares and what it warns about."""
    from backsmith.pipeline import check_feature

    checked = check_feature(document)
    _print_warnings(checked.warnings)
    summary = checked.summary(document).removeprefix("ok")
    out.print(Text.assemble(("ok", "green"), summary), soft_wrap=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of feature documents (for editors)."""
    from backsmith.spec import feature_json_schema

    sys.stdout.write(json.dumps(feature_json_schema(), indent=2) + "\n")


@app.command()
def plan(document: DocumentArg, project: ProjectOption = Path()) -> None:
    """Print the files implementing the feature would create or change."""
    from backsmith.pipeline import plan_feature

    planned = plan_feature(project, document)
    _print_warnings(planned.warnings)
    _print_plan(planned, f"plan for {document}")


@app.command()
def implement(
    document: DocumentArg,
    project: ProjectOption = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and the diff; write nothing.")
    ] = False,
    no_gates: Annotated[
        bool, typer.Option("--no-gates", help="Do not run the quality gates afterwards.")
    ] = False,
    fuzz_examples: Annotated[
        int, typer.Option(min=1, help="Examples per operation for the fuzz gate.")
    ] = 50,
    llm: Annotated[
        str | None,
        typer.Option(
            help="Implement business rules written in prose with this model "
            "(anthropic:MODEL; the key comes from ANTHROPIC_API_KEY)."
        ),
    ] = None,
    max_rounds: Annotated[
        int, typer.Option(min=1, max=10, help="Rounds LLM mode may take to pass the gates.")
    ] = 3,
) -> None:
    """Implement a feature in the project, in its own style, then prove it with the gates."""
    from backsmith.gates.runner import GATE_NAMES
    from backsmith.pipeline import implement_feature

    with err.status("implementing (render, format, migrate)..."):
        result = implement_feature(
            project, document, dry_run=dry_run, llm=llm, max_rounds=max_rounds
        )
    _print_warnings(result.plan.warnings)
    _print_plan(result.plan, f"{result.plan.feature}: {'dry run' if dry_run else 'implemented'}")
    if dry_run:
        out.print(Syntax(result.diff or "", "diff", theme="ansi_dark", word_wrap=False))
        out.print("[yellow]dry run: nothing was written[/]")
        return
    if result.written:
        out.print(f"[green]wrote {len(result.written)} files[/]")
    else:
        out.print("nothing to do: the project already implements this document")
    _print_rules(result)
    if no_gates:
        out.print("gates not run (--no-gates): the feature is written but not proven")
        return
    report = _run_gates_live(project, list(GATE_NAMES), None, fuzz_examples)
    _print_gates(report)
    from backsmith.pipeline import write_progress_report

    out.print(f"progress recorded in {write_progress_report(project)}")
    if report.passed:
        out.print(
            Text(
                f"done: {result.plan.feature} is implemented and every gate passes",
                style="bold green",
            )
        )
        return
    out.print(Text(f"not done: {result.plan.feature} is written, but gates fail", style="bold red"))
    raise typer.Exit(EXIT_FAILED)


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="The project's name (snake_case) and directory.")],
    feature: Annotated[
        Path | None, typer.Option("--feature", "-f", help="Implement this feature document too.")
    ] = None,
    directory: Annotated[
        Path,
        typer.Option("--directory", "-C", help="Where to create the project.", file_okay=False),
    ] = Path(),
) -> None:
    """Create a FastAPI + SQLAlchemy project, optionally with a feature."""
    if feature is not None:
        from backsmith.migrations import prepare

        prepare(directory / name)  # Alembic's process imports while the pipeline loads
    from backsmith.pipeline import create_project

    with err.status(f"creating {name}..."):
        result = create_project(name, directory, feature)
    out.print(f"[green]created[/] {result.path} ({len(result.files)} files)")
    if result.feature is not None:
        _print_warnings(result.feature.plan.warnings)
        _print_plan(result.feature.plan, f"{result.feature.plan.feature}: implemented")
    # The project has its own dependencies: set it up as its README says, then test it.
    # Text, not markup: Rich would read `[dev]` as a style and print `-e '.'`.
    out.print(
        Text(
            f"next: cd {result.path} && python -m venv .venv"
            " && .venv/bin/pip install -e '.[dev]' && .venv/bin/pytest"
        ),
        soft_wrap=True,
    )


def _print_rules(result: ImplementResult) -> None:
    """What happened to the business rules written in prose: never a silent stub."""
    from backsmith.pipeline import describe_rule

    if result.llm is not None:
        style = "green" if not result.rules_left else "red"
        out.print(Text(f"LLM mode: {result.llm.message}", style=style))
        for record in result.llm.rounds:
            refused = f", refused: {'; '.join(record.refused)}" if record.refused else ""
            verdict = "gates pass" if record.gates_passed else f"{len(record.failures)} failures"
            wrote = ", ".join(record.files_written) or "nothing"
            out.print(f"  round {record.round}: wrote {wrote}; {verdict}{refused}")
    if result.llm_note:
        out.print(Text(result.llm_note, style="yellow"))
    if result.rules_left:
        out.print(
            Text(
                f"{len(result.rules_left)} business rule(s) in prose left to implement "
                "(--llm anthropic:MODEL, or by hand in the feature's rules.py):",
                style="yellow",
            )
        )
        for rule in result.rules_left:
            out.print(Text(f"  - {describe_rule(rule)}"))


def _run_gates_live(
    project: Path, names: list[str], database_url: str | None, fuzz_examples: int
) -> GatesReport:
    """Run gates with a live line per gate on stderr, then return the report."""
    from backsmith.gates.runner import run_gates

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        tasks = {name: progress.add_task(f"{name}: waiting", start=False) for name in names}

        def started(name: str) -> None:
            progress.start_task(tasks[name])
            progress.update(tasks[name], description=f"{name}: running")

        def finished(result: GateResult) -> None:
            progress.update(tasks[result.name], description=f"{result.name}: {result.status.value}")
            progress.stop_task(tasks[result.name])

        return run_gates(
            project,
            names,
            database_url=database_url,
            fuzz_examples=fuzz_examples,
            on_start=started,
            on_finish=finished,
        )


_STATUS_STYLE = {"passed": "green", "failed": "red", "error": "magenta", "skipped": "dim"}


def _print_gates(report: GatesReport) -> None:
    table = Table(title=f"gates for {report.project}")
    table.add_column("gate")
    table.add_column("status")
    table.add_column("time", justify="right")
    table.add_column("result")
    for result in report.results:
        style = _STATUS_STYLE.get(result.status.value, "")
        table.add_row(
            result.name,
            Text(result.status.value, style=style),
            f"{result.duration_s:.1f}s",
            Text(result.summary),
        )
    out.print(table)
    for result in report.results:
        for failure in result.failures[:5]:
            where = f"{failure.location}: " if failure.location else ""
            out.print(Text.assemble((f"{result.name}", "red"), f": {where}{failure.message}"))
        if len(result.failures) > 5:
            out.print(f"{result.name}: ... and {len(result.failures) - 5} more (see --json)")
    verdict = "all gates passed" if report.passed else "some gates did not pass"
    out.print(Text(verdict, style="bold green" if report.passed else "bold red"))


GateNames = Annotated[
    list[str] | None,
    typer.Option(
        help="A gate to run (repeatable): tests, lint, types, migrations, "
        "architecture, openapi, fuzz."
    ),
]


@app.command()
def gates(
    project: Annotated[
        Path, typer.Argument(help="The project directory.", file_okay=False)
    ] = Path(),
    only: GateNames = None,
    skip: Annotated[
        list[str] | None, typer.Option(help="A gate to leave out (repeatable).")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the whole result as JSON to this file.")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="A PostgreSQL server URL for the migration round trip."),
    ] = None,
    fuzz_examples: Annotated[
        int, typer.Option(min=1, help="Examples per operation for the fuzz gate.")
    ] = 50,
) -> None:
    """Prove a feature: tests and coverage, lint, types, migrations, layers, OpenAPI, fuzzing."""
    from backsmith.gates.runner import select

    names = select(only or (), skip or ())
    report = _run_gates_live(project, names, database_url, fuzz_examples)
    if json_file is not None:
        json_file.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    _print_gates(report)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FAILED)


@app.command()
def openapi(
    project: Annotated[
        Path, typer.Argument(help="The project directory.", file_okay=False)
    ] = Path(),
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the document here (default: stdout).")
    ] = None,
    typescript: Annotated[
        Path | None,
        typer.Option(help="Also write TypeScript types of the API here (openapi-typescript)."),
    ] = None,
) -> None:
    """Write the project's OpenAPI document, and typed TypeScript for a frontend."""
    from backsmith.openapi_export import export_openapi

    with err.status("building the OpenAPI document..."):
        result = export_openapi(project, out, typescript)
    if out is None:
        sys.stdout.write(result.text)
    else:
        err.print(f"wrote {out} ({result.operations} operations)")
    if result.typescript is not None:
        err.print(
            f"wrote {result.typescript} (openapi-typescript {result.openapi_typescript_version})"
        )


@app.command()
def report(
    project: Annotated[
        Path, typer.Argument(help="The project directory.", file_okay=False)
    ] = Path(),
) -> None:
    """Write the gates' last results into MULTI_AGENT_PLAN.md (Backend Development Progress)."""
    from backsmith.pipeline import write_progress_report

    path = write_progress_report(project)
    out.print(f"updated {path}")


@app.command("mcp")
def serve_mcp(project: ProjectOption = Path()) -> None:
    """Serve backsmith's tools to a coding agent over MCP (stdio; stdout is the protocol)."""
    try:
        from backsmith.mcp_server import serve
    except ModuleNotFoundError as error:
        if error.name is None or error.name.partition(".")[0] != "mcp":
            raise
        raise BacksmithError(
            "the MCP server needs the mcp package, which is not installed",
            hint="pip install 'backsmith[mcp]' (or: uv tool install 'backsmith[mcp]')",
        ) from None
    serve(project)


agent_app = typer.Typer(
    help="Set a project up for coding agents that work through backsmith.",
    no_args_is_help=True,
)
app.add_typer(agent_app, name="agent")


@agent_app.command("init")
def init_agent_files(
    path: Annotated[Path, typer.Argument(help="The project directory.", file_okay=False)] = Path(),
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing agent file and backsmith server entry."),
    ] = False,
) -> None:
    """Write .claude/agents/backend-engineer.md and register backsmith in .mcp.json."""
    from backsmith.agent_init import init_agent

    result = init_agent(path, force=force)
    styles = {"created": "green", "updated": "yellow", "unchanged": "dim", "kept": "cyan"}
    for file in result.files:
        out.print(
            Text.assemble(
                (f"{file.outcome.value:<9}", styles[file.outcome.value]),
                f" {file.path}: {file.note}",
            )
        )


@app.command("inspect")
def inspect_project_command(
    path: Annotated[Path, typer.Argument(help="The project directory.", file_okay=False)] = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Profile a FastAPI project: stack, layout, where things live, its styles, with evidence."""
    from backsmith.project.inspect import inspect_project

    profile = inspect_project(path)
    if as_json:
        sys.stdout.write(profile.model_dump_json(indent=2) + "\n")
        return
    table = Table(title=f"{profile.name}: project profile ({profile.root})", expand=True)
    table.add_column("fact", no_wrap=True)
    table.add_column("value", ratio=2, overflow="fold")
    table.add_column("evidence", ratio=3, overflow="fold")
    for key, fact in profile.facts.items():
        style = "dim" if fact.source == "default" else "cyan" if fact.source == "override" else ""
        table.add_row(key, Text(fact.value), Text(fact.evidence, style=style))
    out.print(table)
    for convention in profile.conventions:
        out.print(Text.assemble((f"{convention.evidence}", "dim"), f" {convention.value}"))
    for warning in profile.warnings:
        err.print(Text.assemble(("warning", "yellow"), f": {warning}"))


def main() -> None:
    """Entry point: runs the app, turning user errors into one line and an exit code."""
    try:
        # Outside standalone mode click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
    except BacksmithError as error:
        # User text (paths, TOML keys like [tool.backsmith]) must not be read as markup.
        err.print(Text.assemble(("error", "bold red"), f": {error}"), soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as usage:  # usage errors arrive here in non-standalone mode
        # Typer 0.29 vendors click: its usage errors are not click's classes, so they are
        # recognised by what they can do (show themselves, with an exit code).
        show = getattr(usage, "show", None)
        exit_code = getattr(usage, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        if isinstance(usage, typer.Abort):
            sys.exit(1)
        raise
    sys.exit(code if isinstance(code, int) else EXIT_OK)
