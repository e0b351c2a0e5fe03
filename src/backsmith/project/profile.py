"""The project profile: the facts about a target project that shape generated code.

Today backsmith implements features in projects made by `backsmith new`; the profile
recognises them from their code and configuration and refuses anything else with a
message that says why, before anything is written.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from backsmith.errors import ProjectError

SUPPORTED_STACK = "fastapi_sqlalchemy"

# Where a fact came from: the code, a configuration file (pyproject.toml, alembic.ini), a
# declared dependency, the project's CLAUDE.md, `[tool.backsmith]`, or a default.
FactSource = Literal["code", "config", "dependency", "claude_md", "override", "default"]


class Fact(BaseModel):
    value: str
    evidence: str  # file and line, or the dependency that implies it
    source: FactSource = "code"


class ProjectProfile(BaseModel):
    root: Path
    stack: str
    name: str
    facts: dict[str, Fact]
    package: str = "app"  # the application package: coverage, types and layers are about it
    coverage_threshold: int = 90
    # Conventions CLAUDE.md states (value: the statement, evidence: CLAUDE.md:line).
    conventions: list[Fact] = Field(default_factory=list)
    # Things a reader should know: CLAUDE.md contradicting the code, unknown override keys.
    warnings: list[str] = Field(default_factory=list)

    def value(self, key: str) -> str | None:
        """The value of a fact, or None when the project does not show it."""
        fact = self.facts.get(key)
        return fact.value if fact else None

    @property
    def layout(self) -> str | None:
        """`domain` (app/<feature>/...) or `layer` (app/models/, app/api/routes/, ...)."""
        return self.value("layout")

    @property
    def is_async(self) -> bool | None:
        flavour = self.value("flavour")
        return None if flavour is None else flavour.endswith("-async")

    def feature_paths(self, feature: str) -> dict[str, str]:
        """Where each layer of a new feature goes: {"models": "app/models/billing.py", ...}."""
        prefix = "paths."
        return {
            key.removeprefix(prefix): fact.value.replace("{feature}", feature)
            for key, fact in self.facts.items()
            if key.startswith(prefix)
        }


def load_profile(root: Path) -> ProjectProfile:
    """Profile the project at `root`; a ProjectError (exit 2) if backsmith cannot work in it."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ProjectError(
            f"{root}: no pyproject.toml; this is not a Python project backsmith can work in",
            hint="create one with `backsmith new NAME`",
        )
    try:
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{pyproject}: invalid TOML: {error}") from None
    settings = config.get("tool", {}).get("backsmith", {})
    stack = settings.get("stack")
    if stack != SUPPORTED_STACK:
        raise ProjectError(
            f'{pyproject}: no `[tool.backsmith] stack = "{SUPPORTED_STACK}"`; backsmith '
            "implements features only in projects it can profile",
            hint="projects made by `backsmith new` have it",
        )
    facts = {
        "stack": Fact(value=stack, evidence=f"{pyproject.name}: [tool.backsmith] stack"),
    }
    for required, role in (
        ("app/main.py", "app factory"),
        ("app/models.py", "model registry"),
        ("alembic.ini", "Alembic configuration"),
    ):
        if not (root / required).is_file():
            raise ProjectError(f"{root}: missing {required} ({role}) that this stack needs")
        facts[role] = Fact(value=required, evidence=required)
    name = str(config.get("project", {}).get("name", root.name))
    threshold = int(settings.get("coverage_threshold", 90))
    return ProjectProfile(
        root=root, stack=stack, name=name, facts=facts, coverage_threshold=threshold
    )
