"""Scratch databases for the gates, and how to point a project's code at one.

A project made by `backsmith new` reads its URL from `DATABASE_URL`. Any other project is
read as `inspect` reads it, with `ast` and without running it: the settings object of the
profile leads to its pydantic-settings class, whose database URL field and `env_prefix`
(or the field's alias) name the environment variable the project reads
(`STOCKROOM_DATABASE_URL`). The same URL is also given to Alembic as `sqlalchemy.url`,
which env.py files usually prefer when it is set (as the projects' own tests do).

Drivers follow the project's flavour: `sqlite+aiosqlite` and `postgresql+asyncpg` for
async projects, `sqlite` (pysqlite) and `postgresql+psycopg` for sync ones.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from backsmith.project.detect import BASE_SETTINGS, CodeIndex, Module
from backsmith.project.profile import ProjectProfile

# Field names that hold the database URL, most usual first; then any `*db*url*`-like name.
URL_FIELDS = (
    "database_url",
    "db_url",
    "sqlalchemy_database_url",
    "sqlalchemy_database_uri",
    "database_uri",
    "db_uri",
    "database_dsn",
    "db_dsn",
)
_URL_FIELD = re.compile(r"(database|db).*(url|uri|dsn)", re.IGNORECASE)
_SETTINGS_CONFIG = {"pydantic_settings.SettingsConfigDict", "pydantic.ConfigDict", "dict"}


@dataclass(frozen=True)
class DatabaseVariable:
    """The environment variable a project reads its database URL from, and where that shows."""

    name: str
    evidence: str


def database_variable(profile: ProjectProfile) -> DatabaseVariable | None:
    """The variable that sets the project's database URL, or None if backsmith cannot tell."""
    declared = profile.facts.get("database_url_env")
    if declared is not None:
        return DatabaseVariable(declared.value, declared.evidence)
    settings = profile.value("settings")
    if settings is None:
        return None
    index = app_index(profile)
    found = _settings_class(index, settings.replace(":", "."))
    if found is None:
        return None
    return _url_variable(index, found)


def is_async(profile: ProjectProfile) -> bool:
    """Whether the project's engine is async (its `flavour` fact says)."""
    return bool(profile.is_async)


def sqlite_url(profile: ProjectProfile, path: Path) -> str:
    """A SQLite file URL with the driver the project's engine takes."""
    return f"sqlite{'+aiosqlite' if is_async(profile) else ''}:///{path}"


def project_url(profile: ProjectProfile, url: str) -> str:
    """`url` (a PostgreSQL server or database) with the driver the project's engine takes."""
    parts = urlsplit(url)
    if parts.scheme.partition("+")[0] not in ("postgresql", "postgres"):
        return url
    driver = "asyncpg" if is_async(profile) else "psycopg"
    return urlunsplit(parts._replace(scheme=f"postgresql+{driver}"))


def database_env(profile: ProjectProfile, url: str) -> dict[str, str | None]:
    """The environment that points the project's settings at `url` (empty if unknown)."""
    variable = database_variable(profile)
    return {variable.name: url} if variable else {}


# --- reading the settings class ------------------------------------------------------------


def app_index(profile: ProjectProfile) -> CodeIndex:
    """The parsed modules of the application package (not its tests or migrations)."""
    index = CodeIndex(profile.root)
    parts = profile.package.split(".")
    for import_root in (profile.root, profile.root / "src"):
        folder = import_root.joinpath(*parts)
        if folder.is_dir():
            skip = [folder / "alembic", folder / "migrations", folder / "tests"]
            index.add_tree(import_root, folder, "app", skip=skip)
            break
    return index


def _settings_class(index: CodeIndex, qualname: str) -> tuple[Module, ast.ClassDef] | None:
    """The BaseSettings class of the settings object (`settings = X()`) or accessor."""
    found = index.split(qualname)
    if found is None:
        return None
    module, name = found
    target: str | None = None
    assigned = module.assigns.get(name)
    if isinstance(assigned, ast.Call):
        target = index.resolve(module, assigned.func)
    elif name in module.functions:
        target = index.resolve(module, module.functions[name].returns)
    elif name in module.classes:
        target = f"{module.name}.{name}"
    if target is None:
        return None
    return index.class_def(target)


def _lineage(index: CodeIndex, found: tuple[Module, ast.ClassDef]) -> list[tuple[Module, str]]:
    """The class and the project's own classes it derives from, nearest first."""
    chain = [found]
    qualnames = [f"{found[0].name}.{found[1].name}"]
    while True:
        bases = [b for b in index.bases(qualnames[-1]) if b not in BASE_SETTINGS]
        parent = next((index.class_def(b) for b in bases if index.class_def(b)), None)
        if parent is None or f"{parent[0].name}.{parent[1].name}" in qualnames:
            break
        chain.append(parent)
        qualnames.append(f"{parent[0].name}.{parent[1].name}")
    return [(module, node.name) for module, node in chain]


def _url_variable(index: CodeIndex, found: tuple[Module, ast.ClassDef]) -> DatabaseVariable | None:
    prefix, case_sensitive = "", False
    fields: dict[str, tuple[Module, ast.AnnAssign]] = {}
    for module, name in reversed(_lineage(index, found)):  # a subclass wins over its bases
        node = module.classes[name]
        for statement in node.body:
            config = _config_call(index, module, statement)
            if config is not None:
                for keyword in config.keywords:
                    if keyword.arg == "env_prefix" and isinstance(keyword.value, ast.Constant):
                        prefix = str(keyword.value.value)
                    if keyword.arg == "case_sensitive" and isinstance(keyword.value, ast.Constant):
                        case_sensitive = bool(keyword.value.value)
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                fields[statement.target.id] = (module, statement)
    field = _url_field(list(fields))
    if field is None:
        return None
    module, statement = fields[field]
    where = f"{module.file}:{statement.lineno}"
    alias = _alias(statement.value)
    if alias is not None:
        return DatabaseVariable(alias, f"{where} ({field}, alias {alias!r})")
    variable = prefix + field
    if not case_sensitive:
        variable = variable.upper()
    source = f"env_prefix {prefix!r}" if prefix else "no env_prefix"
    return DatabaseVariable(variable, f"{where} ({found[1].name}.{field}, {source})")


def _config_call(index: CodeIndex, module: Module, statement: ast.stmt) -> ast.Call | None:
    """`SettingsConfigDict(...)` in `model_config = ...`, if this statement is that."""
    value: ast.expr | None = None
    if (
        isinstance(statement, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets)
    ) or (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.target.id == "model_config"
    ):
        value = statement.value
    if isinstance(value, ast.Call) and index.resolve(module, value.func) in _SETTINGS_CONFIG:
        return value
    return None


def _url_field(names: list[str]) -> str | None:
    by_lower = {name.lower(): name for name in names}
    for candidate in URL_FIELDS:
        if candidate in by_lower:
            return by_lower[candidate]
    return next((name for name in names if _URL_FIELD.search(name)), None)


def _alias(value: ast.expr | None) -> str | None:
    """The alias of `Field(alias="X")` or `Field(validation_alias="X")`, which pydantic-settings
    reads instead of prefix + name."""
    if not isinstance(value, ast.Call):
        return None
    for keyword in value.keywords:
        if keyword.arg in ("validation_alias", "alias") and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return None
