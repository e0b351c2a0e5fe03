"""What a gate is and what it answers: a typed result with figures and actionable failures."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from backsmith.project.profile import ProjectProfile

Figure = int | float | str


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"  # the check ran and found problems
    ERROR = "error"  # the check could not run (a tool is missing, the app does not import)
    SKIPPED = "skipped"


class Failure(BaseModel):
    """One problem, with enough detail to act on."""

    message: str
    location: str | None = None  # file:line, an operation (`GET /things`), a migration step
    detail: str | None = None  # a reproducing request, the tool's own output


class GateResult(BaseModel):
    name: str
    status: Status
    duration_s: float = 0.0
    summary: str = ""
    figures: dict[str, Figure] = Field(default_factory=dict)
    failures: list[Failure] = Field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status is Status.PASSED


class GatesReport(BaseModel):
    project: Path
    started_at: datetime
    duration_s: float
    results: list[GateResult]

    @property
    def passed(self) -> bool:
        return all(r.status in (Status.PASSED, Status.SKIPPED) for r in self.results)

    def result(self, name: str) -> GateResult | None:
        return next((r for r in self.results if r.name == name), None)


class GateContext(BaseModel):
    """Everything a gate needs: the project, its interpreter, and the run's options."""

    root: Path
    profile: ProjectProfile
    python: str
    scratch: Path  # a directory the gate may write in; removed after the run
    database_url: str | None = None  # a PostgreSQL server for the migration round trip
    fuzz_examples: int = 50

    def run(
        self,
        args: list[str],
        *,
        env: Mapping[str, str | None] | None = None,
        timeout: float = 1800,
    ) -> subprocess.CompletedProcess[str]:
        """Run `args` in the project; `python` as args[0] means the project's interpreter."""
        command = [self.python if args[0] == "python" else args[0], *args[1:]]
        environment: dict[str, str | None] = {**os.environ, **(env or {})}
        try:
            return subprocess.run(
                command,
                cwd=self.root,
                env={k: v for k, v in environment.items() if v is not None},
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as expired:
            return subprocess.CompletedProcess(
                command, 124, stdout=str(expired.stdout or ""), stderr=f"timed out after {timeout}s"
            )


Gate = Callable[[GateContext], GateResult]


def tail(text: str, lines: int = 30) -> str:
    """The last lines of a tool's output, where its verdict usually is."""
    return "\n".join(text.strip().splitlines()[-lines:])
