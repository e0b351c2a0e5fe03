"""The project profile: the facts about a target project that shape generated code.

`load_profile` recognises a project made by `backsmith new` quickly, from its
`[tool.backsmith] stack` and its layout; any other project is profiled from its code by
`backsmith inspect` (`project/inspect.py`), which refuses, with a message that says why,
what backsmith cannot work in (not FastAPI, no SQLAlchemy or SQLModel, an ambiguous fact).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

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
    # Made by `backsmith new`: its layout and conventions are the blueprint's own, so the
    # gates may rely on them (app.core.config.Settings, create_app, DATABASE_URL, ...).
    made_by_backsmith: bool = False

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


# What `backsmith new` writes, and what the quick path checks before trusting the stack key.
NEW_PROJECT_FILES = (
    ("app/main.py", "app factory"),
    ("app/models.py", "model registry"),
    ("alembic.ini", "Alembic configuration"),
)


def load_profile(root: Path) -> ProjectProfile:
    """Profile the project at `root`; a ProjectError (exit 2) if backsmith cannot work in it.

    A project made by `backsmith new` is recognised from its `[tool.backsmith] stack` and
    its files, without reading its code; any other is profiled by `inspect_project`.
    """
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
    if stack is not None and stack != SUPPORTED_STACK:
        raise ProjectError(
            f"{pyproject}: [tool.backsmith] stack = {stack!r}: backsmith knows only "
            f'"{SUPPORTED_STACK}"',
            hint="remove the key to let backsmith profile the project from its code",
        )
    if stack == SUPPORTED_STACK and all((root / path).is_file() for path, _ in NEW_PROJECT_FILES):
        return _new_project_profile(root, pyproject, config, settings)
    from backsmith.project.inspect import inspect_project  # parses every module: only here

    return inspect_project(root)


# The conventions of every project `backsmith new` makes: one constant set of facts, so
# the stages after this one ask what a project is, never who made it.
NEW_PROJECT_CONVENTIONS: dict[str, tuple[str, str]] = {
    "framework": ("fastapi", "app/main.py"),
    "app": ("app.main:app", "app/main.py"),
    "package": ("app", "app/"),
    "source_root": (".", "app/"),
    "orm": ("sqlalchemy", "app/core/db.py"),
    "flavour": ("sqlalchemy-async", "app/core/db.py"),
    "migrations": ("alembic", "alembic.ini"),
    "alembic_config": ("alembic.ini", "alembic.ini"),
    "alembic_script_location": ("migrations", "alembic.ini"),
    "layout": ("domain", "app/<feature>/"),
    "layering": ("router > dependencies > service > schemas > models", "CLAUDE.md"),
    "errors": ("problem_json", "app/core/errors.py"),
    "http_contract": ("generated", "SPEC §3: 201 on create, 204 on delete, 400 on bad JSON"),
    "error_statuses": ("documented", "every route declares its error responses"),
    "database_url_env": ("DATABASE_URL", "app/core/config.py"),
    "test_parallel": ("xdist", "tests/conftest.py: a database per xdist worker"),
    "accounts": ("generated", "app/auth/ (users with roles; app/core/security.py tokens)"),
}


def _new_project_profile(
    root: Path, pyproject: Path, config: dict[str, Any], settings: dict[str, Any]
) -> ProjectProfile:
    facts = {
        "stack": Fact(value=SUPPORTED_STACK, evidence=f"{pyproject.name}: [tool.backsmith] stack"),
    }
    for path, role in NEW_PROJECT_FILES:
        facts[role] = Fact(value=path, evidence=path)
    for key, (value, where) in NEW_PROJECT_CONVENTIONS.items():
        facts[key] = Fact(
            value=value, evidence=f"{where} (made by backsmith new)", source="default"
        )
    name = str(config.get("project", {}).get("name", root.name))
    threshold = int(settings.get("coverage_threshold", 90))
    return ProjectProfile(
        root=root,
        stack=SUPPORTED_STACK,
        name=name,
        facts=facts,
        coverage_threshold=threshold,
        made_by_backsmith=True,
    )
