"""The MCP face: backsmith's pipeline as tools a coding agent calls, served over stdio.

As thin as the CLI: each tool calls one public function of the pipeline and returns what
it returned, as a Pydantic model, so the client gets structured content with a published
output schema. A user mistake (any `BacksmithError`) is a tool error whose text is the
one line the CLI prints after `error: `. Paths given to tools are relative to the project
the server was started for (`backsmith mcp --project PATH`).

stdout carries the protocol and nothing else. While the server runs, the MCP SDK points
file descriptor 1 at stderr and serves the protocol from a private duplicate, so output of
child processes (pytest, alembic, ruff) cannot reach the client even if a step forgot to
capture it; backsmith also swaps `sys.stdout` for `sys.stderr` for the server's lifetime
and sends log records to stderr.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import anyio.from_thread
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from backsmith import __version__, pipeline, report
from backsmith.agent_init import SERVER_NAME
from backsmith.agent_init import TOOL_NAMES as TOOL_NAMES  # re-exported: what we serve
from backsmith.errors import BacksmithError, ProjectError
from backsmith.gates import runner
from backsmith.gates.model import GateResult, GatesReport
from backsmith.pipeline import ImplementResult
from backsmith.plan import FeaturePlan
from backsmith.project.profile import Fact, load_profile
from backsmith.spec import feature_json_schema

SCHEMA_URI = "backsmith://schema/feature"
CLAUDE_MD_URI = "backsmith://project/CLAUDE.md"
PLAN_URI = "backsmith://project/MULTI_AGENT_PLAN.md"

INSTRUCTIONS = """\
backsmith implements backend features (FastAPI + SQLAlchemy + Alembic) from feature
documents and proves them with quality gates. Work in this order: validate_feature,
plan_feature, implement_feature (dry_run first to see the diff, then for real), run_gates,
write_report. Paths are relative to the project directory. A tool error is a mistake to
fix (its text says what and where); nothing was written when a tool fails.
"""


# ---- results -------------------------------------------------------------------------


class GatesRun(BaseModel):
    """A gates run: the verdict and every gate's result."""

    passed: bool = Field(description="True when every gate that ran passed (or was skipped).")
    verdict: str = Field(description="The CLI's closing line for the run.")
    report: GatesReport


class ProjectInspection(BaseModel):
    """What backsmith knows about the project, each fact with its evidence."""

    root: str
    name: str
    stack: str
    package: str = Field(description="The application package that gates measure.")
    coverage_threshold: int
    facts: dict[str, Fact]
    gates: list[str] = Field(description="The gates run_gates can run, in the order they run.")
    last_gates: GatesRun | None = Field(
        description="The last recorded gates run (.backsmith/gates.json), if any."
    )


class EntitySummary(BaseModel):
    name: str
    owned: bool
    fields: list[str]
    relations: list[str]


class FeatureValidation(BaseModel):
    """A valid feature document: what it declares."""

    document: str
    feature: str
    entities: list[EntitySummary]
    message: str = Field(description="The line `backsmith validate` prints.")


class ReportWritten(BaseModel):
    """The backend section of MULTI_AGENT_PLAN.md, written from the last gates run."""

    path: str = Field(description="The plan file, relative to the project.")
    measured_at: datetime = Field(description="When the gates run the report shows started.")
    passed: bool
    rules_left: list[str] = Field(description="Business rules in prose nobody implemented yet.")
    section: str = Field(description="The Markdown section as written, markers included.")


# ---- the server ----------------------------------------------------------------------

DocumentParam = Annotated[
    str,
    Field(description="The feature document (PRP Markdown or YAML), relative to the project."),
]
GateList = Annotated[
    list[str] | None,
    Field(description=f"Gates to run or leave out; the gates are {', '.join(runner.GATE_NAMES)}."),
]

_READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)
_WRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def _tool_result(produce: Callable[[], BaseModel]) -> CallToolResult:
    """`produce()` as structured content, or its `BacksmithError` as the CLI's message."""
    try:
        result = produce()
    except BacksmithError as error:
        return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)
    return CallToolResult(
        content=[TextContent(type="text", text=result.model_dump_json(indent=2))],
        structured_content=result.model_dump(mode="json"),
    )


def _section(plan: str) -> str:
    """The backsmith section of a plan file, from its begin marker to its end marker."""
    lines = plan.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == report.BEGIN)
    end = next(i for i, line in enumerate(lines) if i > begin and line.strip() == report.END)
    return "".join(lines[begin : end + 1])


def _gates_run(gates: GatesReport) -> GatesRun:
    verdict = "all gates passed" if gates.passed else "some gates did not pass"
    return GatesRun(passed=gates.passed, verdict=verdict, report=gates)


def build_server(project: Path, *, stdio: bool = False) -> MCPServer[Any]:
    """An MCP server whose tools work in `project`; `stdio` guards stdout while it serves."""
    writing = threading.Lock()  # one writing tool at a time: they share the project's files

    def path(document: str) -> Path:
        given = Path(document)
        return given if given.is_absolute() else project / given

    server: MCPServer[Any] = MCPServer(
        SERVER_NAME,
        title="backsmith",
        description="A backend engineer you can run: feature documents in, tested features out.",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=_stdout_to_stderr if stdio else None,
    )

    @server.tool(annotations=_READ_ONLY)
    def inspect_project() -> Annotated[CallToolResult, ProjectInspection]:
        """Profile the project: its stack, layout facts with evidence, the gates, the last run."""

        def produce() -> ProjectInspection:
            profile = load_profile(project)
            last = report.load_last_report(profile.root)
            return ProjectInspection(
                root=str(profile.root),
                name=profile.name,
                stack=profile.stack,
                package=profile.package,
                coverage_threshold=profile.coverage_threshold,
                facts=profile.facts,
                gates=list(runner.GATE_NAMES),
                last_gates=_gates_run(last) if last is not None else None,
            )

        return _tool_result(produce)

    @server.tool(annotations=_READ_ONLY)
    def validate_feature(document: DocumentParam) -> Annotated[CallToolResult, FeatureValidation]:
        """Check a feature document; every mistake names file:line:column and what to do."""

        def produce() -> FeatureValidation:
            spec = pipeline.validate_feature(path(document))
            names = ", ".join(entity.name for entity in spec.entities)
            return FeatureValidation(
                document=str(path(document)),
                feature=spec.feature,
                entities=[
                    EntitySummary(
                        name=entity.name,
                        owned=entity.owned,
                        fields=[field.name for field in entity.fields],
                        relations=[r.name for r in (*entity.relations, *entity.many_to_many)],
                    )
                    for entity in spec.entities
                ],
                message=f"ok: {path(document)}: feature {spec.feature!r} with {names}",
            )

        return _tool_result(produce)

    @server.tool(annotations=_READ_ONLY)
    def plan_feature(document: DocumentParam) -> Annotated[CallToolResult, FeaturePlan]:
        """The files implementing the document would create or change, each with its reason."""
        return _tool_result(lambda: pipeline.plan_feature(project, path(document)))

    @server.tool(annotations=_WRITES)
    def implement_feature(
        document: DocumentParam,
        dry_run: Annotated[
            bool, Field(description="Return the plan and the full diff; write nothing.")
        ] = False,
        llm: Annotated[
            str | None,
            Field(
                description="Implement business rules written in prose with this model "
                "(anthropic:MODEL; the key comes from the server's ANTHROPIC_API_KEY)."
            ),
        ] = None,
        max_rounds: Annotated[
            int, Field(ge=1, le=10, description="Rounds LLM mode may take to pass the gates.")
        ] = 3,
    ) -> Annotated[CallToolResult, ImplementResult]:
        """Implement the document in the project: all files and the migration, or nothing.

        Does not run the gates: call run_gates next to prove the feature. Prose rules
        no model implemented are listed in `rules_left`.
        """

        def produce() -> ImplementResult:
            if dry_run:
                return pipeline.implement_feature(project, path(document), dry_run=True, llm=llm)
            with writing:
                return pipeline.implement_feature(
                    project, path(document), llm=llm, max_rounds=max_rounds
                )

        return _tool_result(produce)

    @server.tool(annotations=_WRITES)
    def run_gates(
        context: Context,
        only: GateList = None,
        skip: GateList = None,
        database_url: Annotated[
            str | None, Field(description="A PostgreSQL server URL for the migration round trip.")
        ] = None,
        fuzz_examples: Annotated[
            int, Field(ge=1, description="Examples per operation for the fuzz gate.")
        ] = 50,
    ) -> Annotated[CallToolResult, GatesRun]:
        """Prove the project: tests and coverage, lint, types, migrations, layers, OpenAPI, fuzzing.

        Records the run in .backsmith/gates.json, which write_report reads.
        """

        def produce() -> GatesRun:
            names = runner.select(only or (), skip or ())
            finished: list[str] = []

            def progress(result: GateResult) -> None:  # a client that asked sees each gate end
                finished.append(result.name)
                note = f"{result.name}: {result.status.value} ({result.summary})"
                anyio.from_thread.run(context.report_progress, len(finished), len(names), note)

            with writing:
                gates = runner.run_gates(
                    project,
                    names,
                    database_url=database_url,
                    fuzz_examples=fuzz_examples,
                    on_finish=progress,
                )
            return _gates_run(gates)

        return _tool_result(produce)

    @server.tool(annotations=_WRITES)
    def write_report() -> Annotated[CallToolResult, ReportWritten]:
        """Write the Backend Development Progress section of MULTI_AGENT_PLAN.md.

        Every box and figure comes from the last gates run (run_gates), never from intent;
        business rules left unimplemented are listed as blockers.
        """

        def produce() -> ReportWritten:
            with writing:
                written = pipeline.write_progress_report(project)
                last = report.load_last_report(written.parent)
            if last is None:  # write_progress_report refuses to run without one
                raise ProjectError(f"{written.parent}: the gates run vanished while reporting")
            return ReportWritten(
                path=written.relative_to(written.parent).as_posix(),
                measured_at=last.started_at,
                passed=last.passed,
                rules_left=pipeline.load_rules_left(written.parent),
                section=_section(written.read_text(encoding="utf-8")),
            )

        return _tool_result(produce)

    @server.resource(
        SCHEMA_URI,
        name="feature-schema",
        title="Feature document JSON Schema",
        description="The JSON Schema of backsmith feature documents.",
        mime_type="application/schema+json",
    )
    def feature_schema() -> str:
        return json.dumps(feature_json_schema(), indent=2) + "\n"

    def project_file(name: str) -> Callable[[], str]:
        def read() -> str:
            target = project / name
            try:
                return target.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise ResourceNotFoundError(f"{target} does not exist") from None

        return read

    server.resource(
        CLAUDE_MD_URI,
        name="CLAUDE.md",
        title="Project architecture (CLAUDE.md)",
        description="The project's architecture and rules, for the next engineer or agent.",
        mime_type="text/markdown",
    )(project_file("CLAUDE.md"))
    server.resource(
        PLAN_URI,
        name="MULTI_AGENT_PLAN.md",
        title="Multi-agent plan",
        description="The project's plan; write_report keeps its backend section.",
        mime_type="text/markdown",
    )(project_file(report.PLAN_FILE))
    return server


@contextlib.asynccontextmanager
async def _stdout_to_stderr(_server: MCPServer[Any]) -> AsyncIterator[dict[str, Any]]:
    """While serving: Python-level writes to stdout (print, a Rich console) go to stderr.

    The SDK's stdio transport has already pointed fd 1 at stderr (children inherit that)
    and writes the protocol through its own duplicate of the original stdout. Text still
    buffered in the original `sys.stdout` (written before serving, or later through a
    reference taken earlier) is flushed while fd 1 points at stderr, so that it cannot
    reach the client when the transport puts fd 1 back.
    """
    original = sys.stdout
    original.flush()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield {}
    finally:
        original.flush()


def _log_to_stderr() -> None:
    """Every log record goes to stderr, whoever configured logging before us."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
            handler.setStream(sys.stderr)
    if not root.handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING)


def serve(project: Path) -> None:
    """Serve backsmith's tools for `project` over stdin/stdout until the client hangs up."""
    if not project.is_dir():
        raise ProjectError(f"{project}: no such directory", hint="pass --project PATH")
    _log_to_stderr()  # before the SDK's own logging set-up, which then leaves it alone
    build_server(project, stdio=True).run("stdio")
