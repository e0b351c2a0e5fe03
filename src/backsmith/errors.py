"""The one error root of backsmith, and the exit codes the CLI maps errors to.

Every failure a user can cause is a `BacksmithError` with a message that says what is
wrong and what to do; the CLI prints it on one line and never shows a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1  # the work ran and something it checked did not pass
EXIT_USAGE = 2  # the input (document, project, arguments) is wrong; nothing was written


@dataclass(frozen=True)
class Location:
    """A position in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class BacksmithError(Exception):
    """A failure the user can act on. `exit_code` is what the CLI exits with."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class SpecError(BacksmithError):
    """A mistake in a feature document, pointing at the offending node."""

    def __init__(self, message: str, location: Location | None, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.location = location

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.location}: {text}" if self.location else text


class ProjectError(BacksmithError):
    """The target project is not one backsmith can work in, or is in a state it must not touch."""


class WorkspaceConflict(BacksmithError):
    """A file backsmith would write was edited by hand since backsmith generated it."""


class StepFailed(BacksmithError):
    """A step run in the target project (migration, formatter) failed; nothing was written."""

    exit_code = EXIT_FAILED
