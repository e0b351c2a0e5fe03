"""`backsmith agent init`: set a project up for coding agents that work through backsmith.

Writes two files into the project: the agent definition `.claude/agents/backend-engineer.md`
(front matter with name, description and tools, then the working rules) and the MCP
registration `.mcp.json` (Claude Code's project-scope file) with a `backsmith` stdio server.

Existing files are merged, never clobbered: `.mcp.json` keeps every other server and
top-level key, and an existing `backsmith` entry or agent file is left as it is unless
`force`. A `.mcp.json` that is not valid JSON stops everything before anything is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from backsmith.errors import ProjectError

AGENT_FILE = ".claude/agents/backend-engineer.md"
MCP_FILE = ".mcp.json"
SERVER_NAME = "backsmith"
# The tools `backsmith mcp` serves (mcp_server.py registers exactly these; defined here so
# `agent init` need not import the MCP SDK). Claude Code names one `mcp__<server>__<tool>`.
TOOL_NAMES = (
    "inspect_project",
    "validate_feature",
    "plan_feature",
    "implement_feature",
    "run_gates",
    "write_report",
)
BUILTIN_TOOLS = ("Read", "Grep", "Glob", "Edit", "Write", "Bash")

# The entry `claude mcp add --scope project backsmith -- backsmith mcp --project .` writes.
SERVER_ENTRY: dict[str, Any] = {
    "type": "stdio",
    "command": "backsmith",
    "args": ["mcp", "--project", "."],
    "env": {},
}


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"  # merged into, or replaced with --force
    UNCHANGED = "unchanged"  # already what backsmith would write
    KEPT = "kept"  # differs from what backsmith would write; left alone (no --force)


class InitFile(BaseModel):
    path: str  # relative to the project, POSIX separators
    outcome: Outcome
    note: str


class AgentInitResult(BaseModel):
    project: Path
    files: list[InitFile]


def agent_definition() -> str:
    """The text of `.claude/agents/backend-engineer.md`."""
    tools = [*BUILTIN_TOOLS, *(f"mcp__{SERVER_NAME}__{name}" for name in TOOL_NAMES)]
    return f"""\
---
name: backend-engineer
description: Backend engineer for this FastAPI + SQLAlchemy project. Use it to implement or \
change a backend feature from a feature document (PRP) with backsmith, prove it with the \
quality gates and report progress in MULTI_AGENT_PLAN.md.
tools: {", ".join(tools)}
---

You are the backend engineer of this project. You implement features with backsmith,
through its MCP tools (server `backsmith`), not by writing the code yourself: backsmith
generates models, the Alembic migration, schemas, the service layer, the endpoints and
their tests the way this project is built, and records what it generated so that a
later run never overwrites a hand edit.

Read `CLAUDE.md` (resource `backsmith://project/CLAUDE.md`) before you start, and
`MULTI_AGENT_PLAN.md` (`backsmith://project/MULTI_AGENT_PLAN.md`) for what the other agents
are doing.

## How you work

1. `inspect_project`: check that backsmith can work in this project and what it knows.
2. `validate_feature` with the feature document. Fix every error it reports (each names
   the file, line and column); the JSON Schema of documents is the resource
   `backsmith://schema/feature`.
3. `plan_feature`: read the files it will create or change and why. If the plan touches
   files it should not, stop and say so.
4. `implement_feature` with `dry_run: true` and read the diff, then without `dry_run` to
   write it. It writes every file or none, and does not run the gates.
5. `run_gates`: tests and coverage, lint, types, migrations, architecture, OpenAPI,
   fuzzing. A feature is done only when every gate passes. When one fails, fix the cause
   (usually the feature document) and go back to step 2.
6. `write_report`: it writes the backend section of `MULTI_AGENT_PLAN.md` from the
   measured gate results, with any business rule still left to implement as a blocker.

## Rules

- Never edit a file backsmith generated without saying so. When a hand edit is the only
  way, make it, name the file and the reason in your answer, and expect backsmith to
  refuse to overwrite that file later (it stops and names it; nothing is written).
- Change behaviour through the feature document and regenerate, not by patching code.
- Report only what the tools measured. Never tick a box or claim a gate passed that
  `run_gates` did not report as passed.
- When you are blocked (a tool error you cannot fix, a gate that keeps failing, a
  requirement the document cannot express), stop and report the blocker: the tool, its
  exact error text, what you tried, and what you need from whom.
"""


def init_agent(project: Path, *, force: bool = False) -> AgentInitResult:
    """Write (or merge) the agent definition and the MCP registration into `project`."""
    if not project.is_dir():
        raise ProjectError(f"{project}: no such directory")
    agent_text, agent = _agent_file(project, force)
    mcp_text, mcp = _mcp_file(project, force)
    writes = {
        AGENT_FILE: agent_text if agent.outcome in (Outcome.CREATED, Outcome.UPDATED) else None,
        MCP_FILE: mcp_text if mcp.outcome in (Outcome.CREATED, Outcome.UPDATED) else None,
    }
    _write_all(project, {path: text for path, text in writes.items() if text is not None})
    return AgentInitResult(project=project, files=[agent, mcp])


def _agent_file(project: Path, force: bool) -> tuple[str, InitFile]:
    wanted = agent_definition()
    current = _read(project / AGENT_FILE)
    if current is None:
        return wanted, InitFile(path=AGENT_FILE, outcome=Outcome.CREATED, note="agent definition")
    if current == wanted:
        return wanted, InitFile(path=AGENT_FILE, outcome=Outcome.UNCHANGED, note="up to date")
    if force:
        return wanted, InitFile(path=AGENT_FILE, outcome=Outcome.UPDATED, note="replaced (--force)")
    return current, InitFile(
        path=AGENT_FILE,
        outcome=Outcome.KEPT,
        note="exists and differs; left as it is (--force replaces it)",
    )


def _mcp_file(project: Path, force: bool) -> tuple[str, InitFile]:
    target = project / MCP_FILE
    current = _read(target)
    if current is None:
        config: dict[str, Any] = {"mcpServers": {SERVER_NAME: SERVER_ENTRY}}
        return _dump(config), InitFile(
            path=MCP_FILE, outcome=Outcome.CREATED, note=f"registers the {SERVER_NAME} server"
        )
    try:
        config = json.loads(current)
    except json.JSONDecodeError as error:
        raise ProjectError(
            f"{target}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}",
            hint="nothing was written; fix the file (or remove it) and run `backsmith agent init`"
            " again",
        ) from None
    servers = config.get("mcpServers", {}) if isinstance(config, dict) else None
    if not isinstance(servers, dict):
        raise ProjectError(
            f"{target}: expected a JSON object whose `mcpServers` is an object",
            hint='nothing was written; Claude Code expects {"mcpServers": {"NAME": {...}}}',
        )
    others = sorted(name for name in servers if name != SERVER_NAME)
    kept = f"; kept {', '.join(others)}" if others else ""
    existing = servers.get(SERVER_NAME)
    if existing == SERVER_ENTRY:
        return current, InitFile(
            path=MCP_FILE, outcome=Outcome.UNCHANGED, note=f"{SERVER_NAME} already registered"
        )
    if existing is not None and not force:
        return current, InitFile(
            path=MCP_FILE,
            outcome=Outcome.KEPT,
            note=f"a different {SERVER_NAME} server is registered; left as it is "
            "(--force replaces that entry)",
        )
    action = "replaced the" if existing is not None else "added the"
    merged = {**config, "mcpServers": {**servers, SERVER_NAME: SERVER_ENTRY}}
    return _dump(merged), InitFile(
        path=MCP_FILE, outcome=Outcome.UPDATED, note=f"{action} {SERVER_NAME} server{kept}"
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: not UTF-8 text; nothing was written") from None


def _dump(config: dict[str, Any]) -> str:
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def _write_all(project: Path, files: dict[str, str]) -> None:
    """Write every file (beside its target, then renamed into place), or none of them."""
    done: list[tuple[Path, str | None]] = []
    try:
        for relative, text in files.items():
            target = project / relative
            original = _read(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{target.name}.backsmith-tmp")
            staging.write_text(text, encoding="utf-8")
            if original is not None:
                shutil.copymode(target, staging)
            os.replace(staging, target)
            done.append((target, original))
    except BaseException:
        for relative in files:
            with contextlib.suppress(OSError):
                (project / relative).with_name(f".{Path(relative).name}.backsmith-tmp").unlink()
        for target, original in reversed(done):
            with contextlib.suppress(OSError):
                if original is None:
                    target.unlink()
                else:
                    target.write_text(original, encoding="utf-8")
        raise
