"""The MCP server as an agent meets it: real client sessions, in process and over stdio.

Every result is compared with what the pipeline (or the CLI) gives for the same input, so
the MCP face cannot drift from the other one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent, TextResourceContents

from backsmith import pipeline
from backsmith.errors import BacksmithError
from backsmith.gates.runner import GATE_NAMES, select
from backsmith.llm.client import check_model_spec
from backsmith.mcp_server import (
    CLAUDE_MD_URI,
    PLAN_URI,
    SCHEMA_URI,
    TOOL_NAMES,
    FeatureValidation,
    GatesRun,
    ProjectInspection,
    ReportWritten,
    build_server,
)
from backsmith.pipeline import ImplementResult
from backsmith.plan import FeaturePlan
from backsmith.project.profile import load_profile
from backsmith.report import load_last_report
from backsmith.spec import feature_json_schema, load_feature

REPO = Path(__file__).resolve().parents[2]
CLINIC = REPO / "examples" / "clinic.md"
BROKEN = "feature: broken\nentities:\n  Thing:\n    fields:\n      name: strr\n"


def backsmith(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backsmith", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def created(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by the real CLI, with a good and a broken feature document in it."""
    parent = tmp_path_factory.mktemp("created")
    result = backsmith("new", "demo", "-C", str(parent))
    assert result.returncode == 0, result.stderr
    project = parent / "demo"
    shutil.copy(CLINIC, project / "clinic.md")
    (project / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return project


@pytest.fixture
def project(created: Path, tmp_path: Path) -> Path:
    """A fresh copy of the created project for each test."""
    return Path(shutil.copytree(created, tmp_path / "demo"))


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    [block] = result.content
    assert isinstance(block, TextContent)
    return block.text


def message(error: pytest.ExceptionInfo[BacksmithError]) -> str:
    return str(error.value)


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def without_migration(plan: FeaturePlan) -> list[tuple[str, str]]:
    """The plan's files; the revision's name carries a random Alembic id, so it is left out."""
    return [(f.path, f.action) for f in plan.files if not f.path.startswith("migrations/")]


def text_of(contents: list[Any]) -> str:
    [content] = contents
    assert isinstance(content, TextResourceContents)
    return content.text


# ---- in process: the whole flow ------------------------------------------------------


def test_an_agent_implements_a_feature_through_the_tools(project: Path) -> None:
    anyio.run(_flow, project)


async def _flow(project: Path) -> None:
    document = project / "clinic.md"
    spec = load_feature(document)
    entities = [entity.name for entity in spec.entities]
    async with Client(build_server(project)) as client:
        tools = (await client.list_tools()).tools
        assert [tool.name for tool in tools] == list(TOOL_NAMES)
        assert all(tool.output_schema and tool.description for tool in tools)

        # inspect: the profile, the gates, no run yet
        inspection = ProjectInspection.model_validate(
            structured(await client.call_tool("inspect_project", {}))
        )
        profile = load_profile(project)
        assert (inspection.root, inspection.name, inspection.stack) == (
            str(profile.root),
            profile.name,
            profile.stack,
        )
        assert inspection.facts == profile.facts
        assert inspection.gates == list(GATE_NAMES)
        assert inspection.last_gates is None

        # validate: what the document declares, and the CLI's line
        validation = FeatureValidation.model_validate(
            structured(await client.call_tool("validate_feature", {"document": "clinic.md"}))
        )
        assert validation.feature == spec.feature == "clinic"
        assert [entity.name for entity in validation.entities] == entities
        assert validation.entities[0].fields == [field.name for field in spec.entities[0].fields]
        assert validation.message == f"ok: {document}: feature 'clinic' with {', '.join(entities)}"

        # plan: exactly the pipeline's plan
        planned = FeaturePlan.model_validate(
            structured(await client.call_tool("plan_feature", {"document": "clinic.md"}))
        )
        assert planned == pipeline.plan_feature(project, document)
        assert {"app/clinic/models.py", "app/main.py"} <= {f.path for f in planned.files}

        # implement, dry run: the plan and the diff, nothing written
        before = snapshot(project)
        dry = ImplementResult.model_validate(
            structured(
                await client.call_tool(
                    "implement_feature", {"document": "clinic.md", "dry_run": True}
                )
            )
        )
        assert snapshot(project) == before
        assert dry.written == []
        assert dry.diff and "+++ b/app/main.py" in dry.diff
        direct = pipeline.implement_feature(project, document, dry_run=True)
        assert without_migration(dry.plan) == without_migration(direct.plan)
        assert dry.plan.migration and direct.plan.migration
        assert snapshot(project) == before

        # implement for real: every planned file is on disk, as the pipeline reports it
        done = ImplementResult.model_validate(
            structured(await client.call_tool("implement_feature", {"document": "clinic.md"}))
        )
        assert done.diff is None
        assert sorted(done.written) == sorted(
            f.path for f in done.plan.files if f.action != "unchanged"
        )
        assert without_migration(done.plan) == without_migration(dry.plan)
        assert all((project / path).is_file() for path in done.written)
        assert done.plan.migration in done.written
        again = ImplementResult.model_validate(
            structured(await client.call_tool("implement_feature", {"document": "clinic.md"}))
        )
        assert again.written == pipeline.implement_feature(project, document).written == []

        # gates: the fast ones, recorded where write_report reads them, with progress
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(done: float, total: float | None, note: str | None) -> None:
            progress.append((done, total, note))

        run = GatesRun.model_validate(
            structured(
                await client.call_tool(
                    "run_gates",
                    {"only": ["lint", "architecture"]},
                    progress_callback=on_progress,
                )
            )
        )
        assert [result.name for result in run.report.results] == ["lint", "architecture"]
        assert [(done, total) for done, total, _ in progress] == [(1, 2), (2, 2)]
        assert [note.split(":")[0] for _, _, note in progress if note] == ["lint", "architecture"]
        assert run.passed is run.report.passed is True, run.report.results
        assert run.verdict == "all gates passed"
        assert load_last_report(project) == run.report
        inspected = ProjectInspection.model_validate(
            structured(await client.call_tool("inspect_project", {}))
        )
        assert inspected.last_gates == run

        # report: what `backsmith report` writes from that run, in a copy of the project
        copy = Path(shutil.copytree(project, project.with_name("copy")))
        written = ReportWritten.model_validate(
            structured(await client.call_tool("write_report", {}))
        )
        plan_text = (project / "MULTI_AGENT_PLAN.md").read_text(encoding="utf-8")
        cli = backsmith("report", str(copy))
        assert cli.returncode == 0, cli.stderr
        assert (copy / "MULTI_AGENT_PLAN.md").read_text(encoding="utf-8") == plan_text
        assert written.path == "MULTI_AGENT_PLAN.md"
        assert written.section in plan_text
        assert written.section.startswith("<!-- backsmith:begin -->\n")
        assert written.section.endswith("<!-- backsmith:end -->\n")
        assert (written.measured_at, written.passed) == (run.report.started_at, True)
        assert written.rules_left == pipeline.load_rules_left(project)
        assert "- [x] Lint and format" in written.section

        # resources: the schema, CLAUDE.md and the plan as they are on disk
        uris = {str(resource.uri) for resource in (await client.list_resources()).resources}
        assert uris == {SCHEMA_URI, CLAUDE_MD_URI, PLAN_URI}
        schema = json.loads(text_of((await client.read_resource(SCHEMA_URI)).contents))
        assert schema == feature_json_schema()
        claude_md = text_of((await client.read_resource(CLAUDE_MD_URI)).contents)
        assert claude_md == (project / "CLAUDE.md").read_text(encoding="utf-8")
        assert text_of((await client.read_resource(PLAN_URI)).contents) == plan_text


# ---- in process: mistakes are tool errors with the CLI's message ---------------------


def test_user_mistakes_are_tool_errors_with_the_cli_message(project: Path, tmp_path: Path) -> None:
    anyio.run(_mistakes, project, tmp_path)


async def _mistakes(project: Path, tmp_path: Path) -> None:
    async with Client(build_server(project)) as client:
        for document in ("broken.yaml", "missing.md"):
            with pytest.raises(BacksmithError) as raised:
                load_feature(project / document)
            for tool in ("validate_feature", "plan_feature", "implement_feature"):
                result = await client.call_tool(tool, {"document": document})
                assert error_text(result) == message(raised), tool

        with pytest.raises(BacksmithError) as bad_model:
            check_model_spec("gpt:4")
        result = await client.call_tool(
            "implement_feature", {"document": "clinic.md", "llm": "gpt:4"}
        )
        assert error_text(result) == message(bad_model)

        with pytest.raises(BacksmithError) as unknown:
            select(["lint", "nope"])
        result = await client.call_tool("run_gates", {"only": ["lint", "nope"]})
        assert error_text(result) == message(unknown)

        plan_before = (project / "MULTI_AGENT_PLAN.md").read_bytes()
        with pytest.raises(BacksmithError) as no_gates:
            pipeline.write_progress_report(project)
        result = await client.call_tool("write_report", {})
        assert error_text(result) == message(no_gates)
        assert (project / "MULTI_AGENT_PLAN.md").read_bytes() == plan_before

        (project / "CLAUDE.md").unlink()
        with pytest.raises(MCPError, match=r"CLAUDE\.md does not exist"):
            await client.read_resource(CLAUDE_MD_URI)

    # A directory that is not a backsmith project: the profile's own message.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.raises(BacksmithError) as not_a_project:
        load_profile(elsewhere)
    async with Client(build_server(elsewhere)) as client:
        for tool, arguments in (
            ("inspect_project", {}),
            ("run_gates", {"only": ["lint"]}),
        ):
            result = await client.call_tool(tool, arguments)
            assert error_text(result) == message(not_a_project), tool


def test_validate_feature_returns_the_warnings_validate_prints(tmp_path: Path) -> None:
    document = tmp_path / "loans.yaml"
    document.write_text(
        "feature: library\nroles: [librarian]\nentities:\n  Loan:\n    owned: true\n"
        "    fields: {note: str}\n    access:\n      list: owner\n      read: owner\n"
        '      update: owner\n      delete: [owner, "role:librarian"]\n',
        encoding="utf-8",
    )
    anyio.run(_validate_warns, tmp_path, document)


async def _validate_warns(project: Path, document: Path) -> None:
    async with Client(build_server(project)) as client:
        validation = FeatureValidation.model_validate(
            structured(await client.call_tool("validate_feature", {"document": "loans.yaml"}))
        )
    [warning] = validation.warnings
    assert (warning.location.line, warning.location.column) == (11, 23)
    assert "their delete is a 404" in warning.message
    cli = backsmith("validate", str(document))
    assert cli.returncode == 0
    assert cli.stderr == f"{warning}\n"
    assert cli.stdout == f"{validation.message}\n"


# ---- over a real stdio subprocess ----------------------------------------------------


def test_over_stdio_only_the_protocol_reaches_stdout(project: Path, tmp_path: Path) -> None:
    anyio.run(_stdio, project, tmp_path / "server-stderr.log")


async def _stdio(project: Path, stderr_log: Path) -> None:
    not_protocol: list[Exception] = []

    async def on_message(incoming: object) -> None:
        if isinstance(incoming, Exception):  # a stdout line that is not JSON-RPC
            not_protocol.append(incoming)

    parameters = StdioServerParameters(
        command=sys.executable, args=["-m", "backsmith", "mcp", "--project", str(project)]
    )
    with stderr_log.open("w") as errlog:
        transport = stdio_client(parameters, errlog=errlog)
        async with Client(transport, message_handler=on_message) as client:  # type: ignore[arg-type]
            tools = (await client.list_tools()).tools
            assert [tool.name for tool in tools] == list(TOOL_NAMES)

            good = structured(await client.call_tool("validate_feature", {"document": "clinic.md"}))
            assert good["feature"] == "clinic"

            text = error_text(
                await client.call_tool("validate_feature", {"document": "broken.yaml"})
            )
            cli = backsmith("validate", str(project / "broken.yaml"))
            assert cli.returncode == 2
            assert cli.stderr == f"error: {text}\n"
            assert text.startswith(f"{project / 'broken.yaml'}:5:13: unknown type `strr`")

            # The lint gate runs ruff in a subprocess of the server.
            notes: list[str | None] = []

            async def on_progress(done: float, total: float | None, note: str | None) -> None:
                notes.append(note)

            run = GatesRun.model_validate(
                structured(
                    await client.call_tool(
                        "run_gates", {"only": ["lint"]}, progress_callback=on_progress
                    )
                )
            )
            assert [result.name for result in run.report.results] == ["lint"]
            assert run.passed, run.report.results
            assert notes == [f"lint: passed ({run.report.results[0].summary})"]
    assert not_protocol == []


NOISY_SERVER = textwrap.dedent(
    """\
    import logging, os, subprocess, sys
    from pathlib import Path

    from backsmith import pipeline
    from backsmith.mcp_server import serve

    plan_feature = pipeline.plan_feature
    early = sys.stdout  # a reference taken before serving, as a library might keep one
    print("noise: before serving")  # still in stdout's buffer (a pipe) when serving starts

    def noisy(project, document):
        early.write("noise: early reference\\n")  # not flushed: it must not wait for exit
        print("noise: print")
        sys.stdout.write("noise: sys.stdout\\n")  # nobody flushes: buffered until exit
        os.write(1, b"noise: fd 1\\n")
        subprocess.run(["echo", "noise: child process"], check=True)
        subprocess.run([sys.executable, "-c", "print('noise: child python')"], check=True)
        logging.getLogger("backsmith").error("noise: logging")
        return plan_feature(project, document)

    pipeline.plan_feature = noisy
    serve(Path(sys.argv[1]))
    """
)


def test_stray_output_of_tools_and_their_children_goes_to_stderr(project: Path) -> None:
    """A pipeline step that prints, on every level, cannot corrupt the protocol."""
    # Block-buffered stdout (as under a real client), so buffered text is exercised too.
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    server = subprocess.Popen(
        [sys.executable, "-c", NOISY_SERVER, str(project)],
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    lines: list[str] = []

    def request(identifier: int, method: str, params: dict[str, Any]) -> dict[str, Any]:
        assert server.stdin is not None and server.stdout is not None
        call = {"jsonrpc": "2.0", "id": identifier, "method": method, "params": params}
        server.stdin.write(json.dumps(call) + "\n")
        server.stdin.flush()
        while True:
            line = server.stdout.readline()
            assert line, "the server closed stdout"
            lines.append(line)
            answer: dict[str, Any] = json.loads(line)  # anything else fails here
            if answer.get("id") == identifier:
                return answer

    try:
        started = request(
            1,
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        )
        assert started["result"]["serverInfo"]["name"] == "backsmith"
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        server.stdin.write("\n")
        answer = request(
            2, "tools/call", {"name": "plan_feature", "arguments": {"document": "clinic.md"}}
        )
        assert answer["result"].get("isError") is not True, answer
        plan = FeaturePlan.model_validate(answer["result"]["structuredContent"])
        assert plan.feature == "clinic"
    finally:
        server.stdin.close()
        rest = server.stdout.read()
        stderr = server.stderr.read()
        server.wait(timeout=30)
    lines.append(rest)
    for line in "".join(lines).splitlines():
        assert json.loads(line)["jsonrpc"] == "2.0", line
    for noise in (
        "before serving",
        "early reference",
        "print",
        "sys.stdout",
        "fd 1",
        "child process",
        "child python",
        "logging",
    ):
        assert f"noise: {noise}" in stderr, (noise, stderr)


def test_the_server_exits_when_the_client_hangs_up(project: Path) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "backsmith", "mcp", "--project", str(project)],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "")
    assert time.perf_counter() - started < 30


def test_a_missing_project_directory_is_refused(tmp_path: Path) -> None:
    result = backsmith("mcp", "--project", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "nowhere" in result.stderr
