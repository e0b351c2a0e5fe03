"""`backsmith agent init`: the agent definition and the MCP registration, never clobbered."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
import yaml
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult, TextContent

from backsmith import mcp_server
from backsmith.agent_init import (
    AGENT_FILE,
    MCP_FILE,
    SERVER_ENTRY,
    Outcome,
    agent_definition,
    init_agent,
)
from backsmith.errors import ProjectError

OTHER_SERVER = {"command": "npx", "args": ["-y", "@example/other-server"], "env": {"TOKEN": "x"}}


def backsmith(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backsmith", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def state(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def outcomes(project: Path, *, force: bool = False) -> dict[str, Outcome]:
    return {file.path: file.outcome for file in init_agent(project, force=force).files}


def front_matter(text: str) -> dict[str, Any]:
    assert text.startswith("---\n")
    header, _, body = text[4:].partition("\n---\n")
    assert body.strip()
    data: dict[str, Any] = yaml.safe_load(header)
    return data


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=4) + "\n", encoding="utf-8")


def test_a_project_gets_the_agent_and_the_registration(tmp_path: Path) -> None:
    assert outcomes(tmp_path) == {AGENT_FILE: Outcome.CREATED, MCP_FILE: Outcome.CREATED}

    config = json.loads((tmp_path / MCP_FILE).read_text(encoding="utf-8"))
    assert config == {
        "mcpServers": {
            "backsmith": {
                "type": "stdio",
                "command": "backsmith",
                "args": ["mcp", "--project", "."],
                "env": {},
            }
        }
    }
    agent = (tmp_path / AGENT_FILE).read_text(encoding="utf-8")
    assert agent == agent_definition()
    meta = front_matter(agent)
    assert meta["name"] == "backend-engineer"
    assert "feature" in meta["description"]
    tools = [tool.strip() for tool in meta["tools"].split(",")]
    # Claude Code names MCP tools mcp__<server>__<tool>: every tool the server has.
    assert [t for t in tools if t.startswith("mcp__")] == [
        f"mcp__backsmith__{name}" for name in mcp_server.TOOL_NAMES
    ]
    assert {"Read", "Grep", "Glob"} <= set(tools)
    body = agent.partition("\n---\n")[2]
    order = ["validate_feature", "plan_feature", "implement_feature", "run_gates", "write_report"]
    positions = [body.index(f"`{name}`") for name in order]
    assert positions == sorted(positions)
    assert "without saying so" in body and "blocker" in body


def test_an_existing_registration_keeps_its_other_servers(tmp_path: Path) -> None:
    write_json(tmp_path / MCP_FILE, {"mcpServers": {"other": OTHER_SERVER}, "note": "team servers"})
    assert outcomes(tmp_path) == {AGENT_FILE: Outcome.CREATED, MCP_FILE: Outcome.UPDATED}
    config = json.loads((tmp_path / MCP_FILE).read_text(encoding="utf-8"))
    assert config == {
        "mcpServers": {"other": OTHER_SERVER, "backsmith": SERVER_ENTRY},
        "note": "team servers",
    }


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    write_json(tmp_path / MCP_FILE, {"mcpServers": {"other": OTHER_SERVER}})
    init_agent(tmp_path)
    before = state(tmp_path)
    assert outcomes(tmp_path) == {AGENT_FILE: Outcome.UNCHANGED, MCP_FILE: Outcome.UNCHANGED}
    assert outcomes(tmp_path, force=True) == {
        AGENT_FILE: Outcome.UNCHANGED,
        MCP_FILE: Outcome.UNCHANGED,
    }
    assert state(tmp_path) == before


def test_hand_edits_are_kept_unless_forced(tmp_path: Path) -> None:
    mine = {"command": "/opt/backsmith/bin/backsmith", "args": ["mcp", "--project", "api"]}
    write_json(tmp_path / MCP_FILE, {"mcpServers": {"backsmith": mine, "other": OTHER_SERVER}})
    (tmp_path / AGENT_FILE).parent.mkdir(parents=True)
    (tmp_path / AGENT_FILE).write_text("---\nname: backend-engineer\n---\nMine.\n")
    before = state(tmp_path)

    result = init_agent(tmp_path)
    assert {file.path: file.outcome for file in result.files} == {
        AGENT_FILE: Outcome.KEPT,
        MCP_FILE: Outcome.KEPT,
    }
    assert all("--force" in file.note for file in result.files)
    assert state(tmp_path) == before

    assert outcomes(tmp_path, force=True) == {
        AGENT_FILE: Outcome.UPDATED,
        MCP_FILE: Outcome.UPDATED,
    }
    config = json.loads((tmp_path / MCP_FILE).read_text(encoding="utf-8"))
    assert config == {"mcpServers": {"backsmith": SERVER_ENTRY, "other": OTHER_SERVER}}
    assert (tmp_path / AGENT_FILE).read_text(encoding="utf-8") == agent_definition()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{\n  "mcpServers": {\n    "other": {"command": "npx",}\n  }\n}\n', ":3:32: invalid JSON"),
        ("", ":1:1: invalid JSON"),
        ('{"mcpServers": ["other"]}', ": expected a JSON object whose `mcpServers`"),
        ("[1, 2]", ": expected a JSON object whose `mcpServers`"),
    ],
)
def test_a_broken_registration_is_refused_and_nothing_is_written(
    tmp_path: Path, text: str, where: str
) -> None:
    (tmp_path / MCP_FILE).write_text(text, encoding="utf-8")
    before = state(tmp_path)
    with pytest.raises(ProjectError) as raised:
        init_agent(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / MCP_FILE}{where}")
    assert "nothing was written" in str(raised.value)
    assert state(tmp_path) == before
    assert not (tmp_path / ".claude").exists()


def test_the_cli_reports_each_file_and_refuses_invalid_json(tmp_path: Path) -> None:
    write_json(tmp_path / MCP_FILE, {"mcpServers": {"other": OTHER_SERVER}})
    first = backsmith("agent", "init", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert f"created   {AGENT_FILE}" in first.stdout
    assert f"updated   {MCP_FILE}: added the backsmith server; kept other" in first.stdout

    again = backsmith("agent", "init", cwd=tmp_path)  # PATH defaults to the current directory
    assert again.returncode == 0, again.stderr
    assert f"unchanged {AGENT_FILE}" in again.stdout
    assert f"unchanged {MCP_FILE}" in again.stdout

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / MCP_FILE).write_text('{"mcpServers": {\n', encoding="utf-8")
    refused = backsmith("agent", "init", str(broken))
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: {broken / MCP_FILE}:2:1: invalid JSON")
    assert sorted(p.name for p in broken.iterdir()) == [MCP_FILE]

    missing = backsmith("agent", "init", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "nowhere" in missing.stderr


def test_the_registered_command_starts_the_server(tmp_path: Path) -> None:
    """What Claude Code runs, from the project directory, answers as the backsmith server,
    with paths relative to the project, as the CLI run there gives them."""
    init_agent(tmp_path)
    (tmp_path / "broken.yaml").write_text("feature: x\nentities: {Thing: {fields: {a: strr}}}\n")
    entry = json.loads((tmp_path / MCP_FILE).read_text(encoding="utf-8"))["mcpServers"]["backsmith"]
    assert entry["type"] == "stdio"
    command = shutil.which(entry["command"], path=str(Path(sys.executable).parent))
    assert command is not None, "the backsmith console script is not installed beside python"
    parameters = StdioServerParameters(command=command, args=entry["args"], cwd=tmp_path)

    async def session() -> tuple[list[str], CallToolResult]:
        async with Client(parameters) as client:
            tools = [tool.name for tool in (await client.list_tools()).tools]
            return tools, await client.call_tool("validate_feature", {"document": "broken.yaml"})

    tools, refused = anyio.run(session)
    assert tools == list(mcp_server.TOOL_NAMES)
    assert refused.is_error
    [block] = refused.content
    assert isinstance(block, TextContent)
    cli = backsmith("validate", "broken.yaml", cwd=tmp_path)
    assert cli.stderr == f"error: {block.text}\n"
    assert block.text.startswith("broken.yaml:2:")
