"""Profile an existing FastAPI project: every fact about it, each with its evidence.

Each fact comes from one place, in this order of authority:

1. `[tool.backsmith]` in pyproject.toml (always wins; see `FACT_KEYS` and docs/inspect.md);
2. the code, read with `ast` (`detect.py`), and the configuration files (pyproject.toml,
   alembic.ini, ruff.toml, mypy.ini);
3. CLAUDE.md (`claude_md.py`): it corroborates facts the code shows, settles facts the
   code leaves open, and picks between candidates the code cannot tell apart.

When the code shows two candidates for one fact (two declarative bases, two router
registries) and nothing settles it, profiling stops with a `ProjectError` that names
every candidate and the `[tool.backsmith]` key that decides. Nothing here imports or
runs the project's code, and nothing is written.
"""

from __future__ import annotations

import configparser
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from backsmith.errors import ProjectError
from backsmith.project import conventions, detect
from backsmith.project.claude_md import Claim, ClaudeMd, read_claude_md
from backsmith.project.detect import Candidate, CodeIndex, Where
from backsmith.project.manifest import generated_files
from backsmith.project.profile import SUPPORTED_STACK, Fact, FactSource, ProjectProfile

# Every fact `inspect` reports, and what it means. Each is also a `[tool.backsmith]` key.
FACT_KEYS: dict[str, str] = {
    "framework": "the web framework (fastapi)",
    "app": "the FastAPI application object, as module:name",
    "package": "the application package, as imported (app)",
    "source_root": "the folder the package is imported from: . or src",
    "orm": "sqlalchemy or sqlmodel",
    "flavour": "sqlalchemy-async, sqlalchemy-sync, sqlmodel-async or sqlmodel-sync",
    "database_driver": "the DBAPI driver of the default database URL (aiosqlite, psycopg, ...)",
    "migrations": "alembic, or none",
    "alembic_config": "the Alembic configuration: alembic.ini, src/alembic.ini or pyproject.toml",
    "alembic_script_location": "the Alembic migration folder",
    "alembic_file_template": "how Alembic names revision files",
    "model_registry": "the file that imports every models module, so Alembic sees the tables",
    "layout": "domain (app/<feature>/...) or layer (app/models/, app/api/routes/, ...)",
    "paths.models": "where a new feature's models go; {feature} is its name",
    "paths.schemas": "where a new feature's request/response schemas go",
    "paths.service": "where a new feature's service (business rules) goes",
    "paths.router": "where a new feature's router goes",
    "paths.tests": "where a new feature's tests go",
    "base": "the declarative base models derive from, as module:name",
    "session_dependency": "what routes take to get a database session (SessionDep)",
    "session_provider": "the function that yields the session (get_db)",
    "current_user_dependency": "what routes take to get the signed-in user (CurrentUser)",
    "current_user_provider": "the function behind it (get_current_user); tests override it",
    "user_model": "the user model, as module:name",
    "user_table": "the user model's table, which new tables' foreign keys name",
    "user_id_type": "int or uuid: the type of the user model's primary key",
    "superuser_flag": "the user column that makes an administrator (is_superuser), or none",
    "settings": "the settings object or its accessor, as module:name",
    "router_registry": "where feature routers are included (module:router or module:function)",
    "router_prefix": "where route prefixes are set: router, include_router or route",
    "pagination": "offset, page or keyset (none when lists are not paginated)",
    "pagination_shape": "the fields of a page: {data, count}, {items, next_cursor}, ...",
    "pagination_params": "the query parameters of a list: skip, limit / page, size / ...",
    "pagination_model": "the page model new lists reuse, as module:name",
    "errors": "http_exception, domain_exceptions (+ a JSON handler) or problem_json",
    "http_contract": "generated: the API keeps SPEC §3 (201 creates, 204 deletes, 400 bad JSON)",
    "layering": "feature packages' layers, top first: router > dependencies > service > ...",
    "database_url_env": "the environment variable the settings read the database URL from",
    "test_parallel": "xdist: the suite isolates each pytest-xdist worker's database",
    "accounts": "generated: accounts as backsmith new makes them (app.auth, users with roles)",
    "error_base": "the exception class services raise, as module:name",
    "error_classes": "the exception raised for each status: 404=module:Name, 409=module:Name",
    "session_commits": "true if the session dependency commits when the request ends",
    "service_providers": "where XServiceDep aliases build service classes, or none",
    "table_names": "plural or singular: how the project names its tables",
    "tables": "the tables the project's models define (table=module:Class), which a new "
    "entity may not take",
    "read_suffix": "the suffix of response schemas: Public, Out, Read or Response",
    "error_statuses": "documented if the routes declare their error responses (responses=)",
    "pagination_model_generic": "true if the page model is generic (Page[T]), one for every list",
    "pagination_params_model": "the model of a list's query parameters, as module:name",
    "test_framework": "pytest, or pytest + pytest-asyncio",
    "test_asyncio_mode": "pytest-asyncio's mode (auto or strict)",
    "test_client": "fastapi.testclient.TestClient or httpx.AsyncClient",
    "test_client_fixture": "the fixture that gives the HTTP client",
    "test_db_fixture": "the fixture that gives a database session",
    "test_user_fixtures": "fixtures that give signed-in users or their token headers",
    "test_db_setup": "how the test database gets its schema: alembic upgrade or create_all",
    "ruff_line_length": "ruff's line length",
    "ruff_select": "the ruff rules selected",
    "formatter": "ruff or black",
    "mypy_strict": "whether mypy runs in strict mode (true/false)",
    "mypy_plugins": "mypy plugins",
    "python": "the Python versions the project supports",
    "outdated_libraries": "libraries required below the majors backsmith writes for "
    "(SQLAlchemy 2, Pydantic 2, FastAPI 0.100): `implement` refuses them",
}
# `[tool.backsmith]` keys that configure backsmith rather than override a fact.
SETTING_KEYS = {"stack", "coverage_threshold"}
CHOICES: dict[str, set[str]] = {
    "orm": {"sqlalchemy", "sqlmodel"},
    "flavour": {"sqlalchemy-async", "sqlalchemy-sync", "sqlmodel-async", "sqlmodel-sync"},
    "layout": {"domain", "layer"},
    "migrations": {"alembic", "none"},
    "router_prefix": {"router", "include_router", "route"},
    "pagination": {"offset", "page", "keyset", "none"},
    "errors": {"http_exception", "domain_exceptions", "problem_json"},
    "mypy_strict": {"true", "false"},
    "user_id_type": {"int", "uuid"},
    "session_commits": {"true", "false"},
    "table_names": {"plural", "singular"},
    "pagination_model_generic": {"true", "false"},
}
SYMBOL_KEYS = {
    "app",
    "base",
    "session_dependency",
    "session_provider",
    "current_user_dependency",
    "current_user_provider",
    "user_model",
    "settings",
    "pagination_model",
    "pagination_params_model",
    "error_base",
}
# Facts CLAUDE.md may state in words; a statement that contradicts the code is a warning.
CLAIMED_KEYS = {"orm", "flavour", "layout", "pagination", "errors", "migrations", "test_framework"}
NOT_PACKAGES = {
    "tests",
    "test",
    "migrations",
    "alembic",
    "docs",
    "doc",
    "scripts",
    "bench",
    "benchmarks",
    "examples",
    "build",
    "dist",
    "node_modules",
    "venv",
    "env",
}
RUFF_DEFAULT_SELECT = "E4, E7, E9, F"
SESSION = {"async": "an AsyncSession", "sync": "a sync Session"}
ALEMBIC_DEFAULT_TEMPLATE = "%(rev)s_%(slug)s"


def inspect_project(root: Path) -> ProjectProfile:
    """Profile the project at `root` from its code; a ProjectError (exit 2) if it cannot."""
    return _Profiler(root).run()


# --- configuration files ----------------------------------------------------------------


@dataclass(frozen=True)
class Dependency:
    name: str
    spec: str
    where: str

    def __str__(self) -> str:
        return f"{self.where} (dependency {self.spec})"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str | None:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return _normal(match.group(1)) if match else None


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def toml_line(text: str, table: str, key: str) -> int | None:
    """The line of `key` in `[table]` (or `key` as a dotted key of a parent table)."""
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            current = line.strip("[] ")
            continue
        name = line.partition("=")[0].strip().strip('"')
        if "=" in line and f"{current}.{name}".strip(".") == f"{table}.{key}":
            return number
    return None


class _Config:
    """pyproject.toml and the tool configuration files next to it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        path = root / "pyproject.toml"
        self.text = path.read_text(encoding="utf-8") if path.is_file() else ""
        try:
            self.data: dict[str, Any] = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as error:
            raise ProjectError(f"{path}: invalid TOML: {error}") from None
        # Every declaration, in pyproject.toml then requirements files; `dependencies`
        # keeps the first of each name.
        self.declared: list[Dependency] = []
        self.dependencies = self._dependencies()

    def table(self, dotted: str) -> dict[str, Any]:
        node: Any = self.data
        for part in dotted.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        return node if isinstance(node, dict) else {}

    def where(self, table: str, key: str) -> str:
        line = toml_line(self.text, table, key)
        return f"pyproject.toml:{line}" if line else "pyproject.toml"

    def _dependencies(self) -> dict[str, Dependency]:
        specs: list[str] = []
        project = self.table("project")
        specs += [s for s in project.get("dependencies", []) if isinstance(s, str)]
        for group in project.get("optional-dependencies", {}).values():
            specs += [s for s in group if isinstance(s, str)]
        for group in self.table("dependency-groups").values():
            specs += [s for s in group if isinstance(s, str)]
        specs += [
            s for s in self.table("tool.uv").get("dev-dependencies", []) if isinstance(s, str)
        ]
        found: dict[str, Dependency] = {}
        for spec in specs:
            name = _requirement_name(spec)
            if name:
                line = _line_of(self.text, f'"{spec}"')
                self.declared.append(Dependency(name, spec, f"pyproject.toml:{line or 1}"))
                found.setdefault(name, self.declared[-1])
        poetry = [self.table("tool.poetry.dependencies")]
        poetry += [g.get("dependencies", {}) for g in self.table("tool.poetry.group").values()]
        for table in poetry:
            for name, constraint in table.items():
                line = toml_line(self.text, "tool.poetry.dependencies", name)
                where = f"pyproject.toml:{line}" if line else "pyproject.toml"
                spec = name + _poetry_specifier(constraint)
                self.declared.append(Dependency(_normal(name), spec, where))
                found.setdefault(_normal(name), self.declared[-1])
        for requirements in sorted(self.root.glob("requirements*.txt")):
            for number, raw in enumerate(requirements.read_text(encoding="utf-8").splitlines(), 1):
                spec = raw.split("#")[0].strip()
                name = _requirement_name(spec) if spec and not spec.startswith("-") else None
                if name:
                    self.declared.append(Dependency(name, spec, f"{requirements.name}:{number}"))
                    found.setdefault(name, self.declared[-1])
        return found

    def dependency(self, *names: str) -> Dependency | None:
        for name in names:
            if name in self.dependencies:
                return self.dependencies[name]
        return None


# (distribution, the first version of it backsmith writes code for)
OLDEST_SUPPORTED = (
    ("sqlalchemy", "2.0"),
    ("pydantic", "2.0"),
    ("fastapi", "0.100"),
    ("sqlmodel", "0.0.14"),
)


def _poetry_specifier(constraint: object) -> str:
    """Poetry's version constraint as PEP 440 (`^1.4` is `>=1.4,<2`); '' where it names none."""
    if isinstance(constraint, dict):
        constraint = constraint.get("version", "")
    text = str(constraint).strip() if isinstance(constraint, str) else ""
    if not text or text == "*":
        return ""
    if text[0] in "^~" and text[1:2].isdigit():
        numbers = [int(n) for n in re.findall(r"\d+", text[1:])[:3]]
        if text[0] == "~":  # ~1.4: >=1.4,<1.5; ~1: >=1,<2
            upper = [numbers[0] + 1] if len(numbers) == 1 else [numbers[0], numbers[1] + 1]
        else:  # ^1.4: <2; ^0.65: <0.66 (the first non-zero part may not change)
            position = next((i for i, n in enumerate(numbers) if n), len(numbers) - 1)
            upper = [*numbers[:position], numbers[position] + 1]
        return f">={text[1:]},<{'.'.join(map(str, upper))}"
    if text[0].isdigit():
        return f"=={text}"
    return text


def _only_before(requirement: str, first_supported: str) -> bool:
    """True if `requirement` (`SQLAlchemy==1.3.19`, `pydantic<2`, `fastapi~=0.65`) keeps
    the project below `first_supported`; one backsmith cannot read does not."""
    try:
        specifiers = Requirement(requirement).specifier
    except InvalidRequirement:
        return False
    floor = Version(first_supported)
    for specifier in specifiers:
        try:
            version = Version(specifier.version.removesuffix(".*"))
        except InvalidVersion:
            continue
        if specifier.operator in ("==", "~=") and version < floor:
            return True
        if (specifier.operator == "<" and version <= floor) or (
            specifier.operator == "<=" and version < floor
        ):
            return True
    return False


# --- the profiler -------------------------------------------------------------------------


class _Profiler:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise ProjectError(f"{root}: no such project directory")
        self.config = _Config(self.root)
        self.facts: dict[str, Fact] = {}
        self.warnings: list[str] = []
        self.overrides = self._overrides()
        self.claude: ClaudeMd | None = read_claude_md(self.root)
        self.claims = self.claude.claims() if self.claude else {}
        self.index = CodeIndex(self.root)
        self.session_candidates: tuple[list[Candidate], list[Candidate]] = ([], [])
        self.routers: list[detect.Router] = []

    # -- deciding -----------------------------------------------------------------------

    def _overrides(self) -> dict[str, tuple[str, str]]:
        table = self.config.table("tool.backsmith")
        found: dict[str, tuple[str, str]] = {}
        for key, value in table.items():
            if key == "paths" and isinstance(value, dict):
                for layer, path in value.items():
                    found[f"paths.{layer}"] = (
                        str(path),
                        self.config.where("tool.backsmith.paths", layer),
                    )
                continue
            if key in SETTING_KEYS:
                continue
            if isinstance(value, bool):
                text = str(value).lower()
            elif isinstance(value, dict):  # error_classes = {404 = "app.errors:NotFound"}
                text = ", ".join(f"{k}={v}" for k, v in value.items())
            else:
                text = str(value)
            found[key] = (text, self.config.where("tool.backsmith", key))
        for key, (value, where) in found.items():
            if key not in FACT_KEYS:
                self.warnings.append(
                    f"{where}: [tool.backsmith] {key} is not a key backsmith knows; ignored "
                    "(see docs/inspect.md)"
                )
            elif key in CHOICES and value not in CHOICES[key]:
                choices = ", ".join(sorted(CHOICES[key]))
                raise ProjectError(
                    f"{where}: [tool.backsmith] {key} = {value!r}: expected one of {choices}"
                )
            elif key in SYMBOL_KEYS and not re.fullmatch(r"[\w.]+:[\w.]+", value):
                raise ProjectError(
                    f"{where}: [tool.backsmith] {key} = {value!r}: expected module:name, "
                    "as in 'app.core.db:Base'"
                )
        return {k: v for k, v in found.items() if k in FACT_KEYS}

    def set(self, key: str, value: str, evidence: str, source: FactSource = "code") -> str:
        """Record a fact unless `[tool.backsmith]` overrides it; returns the value kept."""
        if key in self.overrides:
            value, where = self.overrides[key]
            self.facts[key] = Fact(
                value=value, evidence=f"{where} ([tool.backsmith])", source="override"
            )
            return value
        self.facts[key] = Fact(value=value, evidence=evidence, source=source)
        return value

    def decide(self, key: str, candidates: list[Candidate], what: str) -> str | None:
        """One value from the candidates the code shows, or a ProjectError naming them."""
        if key in self.overrides:
            return self.set(key, self.overrides[key][0], "")
        distinct: dict[str, Candidate] = {}
        for candidate in candidates:
            if candidate.value in distinct:
                distinct[candidate.value].where += candidate.where
            else:
                distinct[candidate.value] = Candidate(
                    candidate.value, list(candidate.where), candidate.note, dict(candidate.extra)
                )
        options = list(distinct.values())
        claim = self.claims.get(key)
        if not options:
            if claim:
                return self.set(key, claim.value, f"CLAUDE.md:{claim.line}", "claude_md")
            return None
        if len(options) == 1:
            chosen = options[0]
            evidence = chosen.evidence
            if claim and _same(claim.value, chosen.value):
                evidence += f"; CLAUDE.md:{claim.line}"
            elif claim and (key in CLAIMED_KEYS or key.startswith("paths.")):
                self.warnings.append(
                    f"CLAUDE.md:{claim.line} says {key} is {claim.value!r}, but the code shows "
                    f"{chosen.value!r} ({chosen.evidence}); the code wins"
                )
            else:
                lines = self._mentions(chosen)
                if lines:
                    evidence += f"; CLAUDE.md:{', '.join(map(str, lines[:2]))}"
            return self.set(key, chosen.value, evidence)
        by_claim = [o for o in options if claim and o.value == claim.value]
        by_mention = [o for o in options if self._mentions(o)]
        for settled, line in (
            (by_claim, claim.line if claim else 0),
            (by_mention, (self._mentions(by_mention[0]) or [0])[0] if by_mention else 0),
        ):
            if len(settled) == 1:
                chosen = settled[0]
                others = ", ".join(o.value for o in options if o is not chosen)
                evidence = f"{chosen.evidence}; chosen over {others} by CLAUDE.md:{line}"
                return self.set(key, chosen.value, evidence, "claude_md")
        listed = "; ".join(f"{o.value} at {o.evidence}" for o in options)
        raise ProjectError(
            f"{self.root}: {what} is ambiguous: {listed}",
            hint=f"choose one with {_override_hint(key, options[0].value)} in pyproject.toml",
        )

    def _mentions(self, candidate: Candidate) -> list[int]:
        """CLAUDE.md lines that name this candidate with its file or module."""
        if self.claude is None or ":" not in candidate.value or not candidate.where:
            return []
        module, _, name = candidate.value.partition(":")
        file = candidate.where[0].file
        lines = set()
        for place in (file, module, file.removesuffix(".py")):
            lines.update(self.claude.mentions(name, place))
        for item in self.claude.paths:
            if item.path == file and name in self.claude.lines[item.line - 1]:
                lines.add(item.line)
        return sorted(lines)

    def found(self, key: str) -> str | None:
        fact = self.facts.get(key)
        return fact.value if fact else None

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> ProjectProfile:
        try:
            return self._walk()
        except detect.UnparsableFile as error:
            raise self._too_new(error) or error from None

    def _too_new(self, error: detect.UnparsableFile) -> ProjectError | None:
        """The error to give when the project requires a newer Python than this one, whose
        parser cannot read that Python's syntax; None when it does not."""
        requires = self.config.table("project").get("requires-python")
        newer = _newer_python_required(requires)
        if newer is None:
            return None
        running = ".".join(map(str, sys.version_info[:3]))
        return ProjectError(
            error.message,
            hint=f"the project requires Python {requires} and this backsmith runs on "
            f"{running}, whose parser predates that syntax; run backsmith with Python "
            f"{newer} (for example `uv tool install --python {newer} backsmith`)",
        )

    def _left_out(self) -> None:
        """Files the parser could not read: a newer Python's syntax stops the profile (it
        would be wrong without them); a stray non-Python file is left out, with a warning."""
        for error in self.index.unparsable:
            too_new = self._too_new(error)
            if too_new is not None:
                raise too_new
            self.warnings.append(f"{error.message}; left out of the profile")

    def _walk(self) -> ProjectProfile:
        package_dir, import_root = self._package()
        package = ".".join(package_dir.relative_to(import_root).parts)
        alembic = self._alembic()
        script_dir = self.root / alembic["script_location"] if alembic else None
        tests_dir = self._tests_dir(package_dir)
        tests_path = self.root / tests_dir
        tests_inside = package_dir.resolve().is_relative_to(tests_path.resolve())
        if tests_inside:
            # `testpaths = ["app"]`: tests live beside the code they test (app/auth/tests/,
            # app/conftest.py); the package is the app, its test modules are the tests.
            skip = list(filter(None, [script_dir]))
            self.index.add_tree(import_root, package_dir, "app", skip=skip, exclude=_is_test)
            self.index.add_tree(import_root, package_dir, "tests", skip=skip, only=_is_test)
        else:
            self.index.add_tree(
                import_root, package_dir, "app", skip=[tests_path, *filter(None, [script_dir])]
            )
        # The app may build on the project's other packages (a `core/` beside `app/` that
        # holds the declarative base and the session): they are read as its code too.
        for sibling in _sibling_packages(import_root, package_dir, [tests_path, script_dir]):
            self.index.add_tree(import_root, sibling, "app", skip=[tests_path])
        if tests_path.is_dir() and not tests_inside:
            # Tests inside the package (app/tests/) are imported as app.tests.
            tests_root = import_root if tests_path.is_relative_to(package_dir) else self.root
            self.index.add_tree(tests_root, tests_path, "tests")
        if script_dir and (script_dir / "env.py").is_file():
            self.index.add_file(self.root, script_dir / "env.py", "migrations")

        self._left_out()
        apps = detect.find_apps(self.index)
        if not apps:
            raise ProjectError(
                f"{self.root}: no FastAPI() application in {package_dir.relative_to(self.root)}/; "
                "backsmith works in FastAPI projects",
            )
        self._framework(apps)
        package_rel = package_dir.relative_to(self.root).as_posix()
        self.set("package", package, f"{package_rel}/ (holds {apps[0].where[0]})")
        source_root = import_root.relative_to(self.root).as_posix()
        self.set("source_root", source_root, f"{package_rel}/ is imported as {package}")
        self._orm()
        self._flavour()
        self._database_driver()
        self._migrations(alembic)
        models = detect.find_models(self.index, self._base_qualname())
        self._layout(models, PurePosixPath(package_rel), PurePosixPath(tests_dir))
        self._dependencies(models)
        self._routers()
        self._style(models)
        self._existing_tables(models)
        self._conventions()
        self._tests(PurePosixPath(tests_dir))
        self._tooling()
        self._honour_overrides()
        return self._profile(package)

    def _honour_overrides(self) -> None:
        """Every `[tool.backsmith]` key becomes a fact, also where the code showed nothing
        to override: a hint that says "set KEY" must be answered by setting KEY."""
        for key, (value, where) in self.overrides.items():
            if key not in self.facts:
                self.facts[key] = Fact(
                    value=value, evidence=f"{where} ([tool.backsmith])", source="override"
                )

    def _package(self) -> tuple[Path, Path]:
        """The application package (the one that creates the FastAPI app) and its import root."""
        if "package" in self.overrides:
            name = self.overrides["package"][0]
            for import_root in (self.root, self.root / "src"):
                folder = import_root.joinpath(*name.split("."))
                if folder.is_dir():
                    return folder, import_root
            raise ProjectError(f"{self.root}: [tool.backsmith] package = {name!r}: no such package")
        found: list[tuple[Path, Path, list[Candidate]]] = []
        for import_root in (self.root, self.root / "src"):
            if not import_root.is_dir():
                continue
            for folder in sorted(import_root.iterdir()):
                if (
                    not folder.is_dir()
                    or folder.name.startswith((".", "_"))
                    or folder.name in NOT_PACKAGES
                    or not any(folder.rglob("*.py"))
                    or (import_root == self.root and folder.name == "src")
                ):
                    continue
                probe = CodeIndex(self.root)
                probe.add_tree(
                    import_root, folder, "app", skip=[folder / "alembic", folder / "migrations"]
                )
                apps = detect.find_apps(probe)
                if apps:
                    found.append((folder, import_root, apps))
        if not found:
            fastapi = self.config.dependency("fastapi")
            if fastapi is None:
                raise ProjectError(
                    f"{self.root}: not a FastAPI project (no fastapi dependency and no FastAPI() "
                    "application in its packages); backsmith works in FastAPI projects"
                )
            raise ProjectError(
                f"{self.root}: depends on fastapi ({fastapi.where}) but no package creates a "
                "FastAPI() application",
                hint='name the package with `[tool.backsmith] package = "app"`',
            )
        if len(found) > 1:
            listed = "; ".join(
                f"{f.relative_to(self.root)}/ ({a[0].evidence})" for f, _, a in found
            )
            example = _override_hint("package", found[0][0].name)
            raise ProjectError(
                f"{self.root}: the application package is ambiguous: {listed}",
                hint=f"choose one with {example} in pyproject.toml",
            )
        return found[0][0], found[0][1]

    def _framework(self, apps: list[Candidate]) -> None:
        fastapi = self.config.dependency("fastapi")
        evidence = f"{apps[0].where[0]} FastAPI()"
        if fastapi:
            evidence += f"; {fastapi}"
        self.set("framework", "fastapi", evidence)
        self.decide("app", apps, "the FastAPI application")

    def _base_qualname(self) -> str | None:
        base = self.found("base")
        if base is None or base.startswith("sqlmodel:"):
            return None
        module, _, name = base.partition(":")
        return self.index.canonical(f"{module}.{name}")

    def _orm(self) -> None:
        tables = detect.sqlmodel_tables(self.index)
        bases = detect.find_bases(self.index)
        imports = detect.find_imports(self.index, {"sqlalchemy", "sqlmodel"})
        sqlmodel = self.config.dependency("sqlmodel")
        sqlalchemy = self.config.dependency("sqlalchemy")
        if tables and not bases and "orm" not in self.overrides:
            evidence = tables[0].evidence + (f"; {sqlmodel}" if sqlmodel else "")
            self.set("orm", "sqlmodel", evidence)
            self.set(
                "base", "sqlmodel:SQLModel", f"{tables[0].evidence}: tables derive from SQLModel"
            )
        elif bases or "base" in self.overrides:
            self.decide("base", bases, "the declarative base")
            evidence = bases[0].evidence if bases else self.facts["base"].evidence
            if sqlalchemy:
                evidence += f"; {sqlalchemy}"
            self.set("orm", "sqlalchemy", evidence)
        elif "orm" in self.overrides:
            self.set("orm", self.overrides["orm"][0], "")
        elif imports.get("sqlmodel") or sqlmodel:
            # No table yet: the base is SQLModel itself.
            where = imports.get("sqlmodel")
            evidence = f"{where} imports sqlmodel" if where else str(sqlmodel)
            self.set("orm", "sqlmodel", evidence, "code" if where else "dependency")
            self.set("base", "sqlmodel:SQLModel", evidence, "code" if where else "dependency")
        elif imports or sqlalchemy:
            raise ProjectError(
                f"{self.root}: uses SQLAlchemy but defines no declarative base "
                "(class Base(DeclarativeBase)) or SQLModel table; backsmith adds models to one",
                hint='name it with `[tool.backsmith] base = "app.db:Base"`',
            )
        else:
            raise ProjectError(
                f"{self.root}: uses neither SQLAlchemy nor SQLModel; backsmith implements "
                "features on SQLAlchemy 2 or SQLModel models"
            )

    def _flavour(self) -> None:
        aliases, providers = detect.find_session_dependencies(self.index)
        io_sources = aliases or providers
        engines = detect.find_engines(self.index)
        io_candidates = [
            Candidate(
                c.extra["io"],
                c.where,
                note=f"{c.value.partition(':')[2]}: {SESSION[c.extra['io']]}",
            )
            for c in io_sources
        ]
        if not io_candidates:
            io_candidates = engines
        orm = self.found("orm") or "sqlalchemy"
        flavours = [Candidate(f"{orm}-{c.value}", c.where, c.note) for c in io_candidates]
        claim = self.claims.get("io")
        if claim and "flavour" not in self.claims:
            self.claims["flavour"] = Claim(f"{orm}-{claim.value}", claim.line, claim.text)
        flavour = self.decide("flavour", flavours, "the ORM flavour (async or sync sessions)")
        if flavour and "flavour" in self.overrides and "orm" not in self.overrides:
            self.set("orm", flavour.partition("-")[0], self.facts["flavour"].evidence, "override")
        self.session_candidates = (aliases, providers)

    def _database_driver(self) -> None:
        urls = detect.find_database_urls(self.index)
        drivers = [
            d
            for d in self.config.dependencies.values()
            if d.name
            in {
                "aiosqlite",
                "asyncpg",
                "psycopg",
                "psycopg2",
                "psycopg2-binary",
                "pymysql",
                "aiomysql",
                "asyncmy",
                "mysqlclient",
                "oracledb",
                "pyodbc",
            }
        ]
        listed = ", ".join(d.name for d in drivers)
        if urls:
            chosen = urls[0]
            evidence = f"{chosen.where[0]} (URL scheme {chosen.note.split('://')[0]})"
            if drivers:
                evidence += f"; dependencies: {listed}"
            self.set("database_driver", chosen.value, evidence)
        elif drivers:
            self.set("database_driver", listed, "; ".join(str(d) for d in drivers), "dependency")

    # -- Alembic ------------------------------------------------------------------------

    def _alembic_ini(self) -> Path | None:
        """alembic.ini at the root, else where src-layout teams keep it (`src/alembic.ini`),
        else in one folder below the root (the backend of a monorepo's subproject)."""
        for candidate in (self.root / "alembic.ini", self.root / "src" / "alembic.ini"):
            if candidate.is_file():
                return candidate
        below = sorted(
            p
            for p in self.root.glob("*/alembic.ini")
            if not p.parent.name.startswith(".") and p.parent.name not in NOT_PACKAGES
        )
        return below[0] if len(below) == 1 else None

    def _alembic(self) -> dict[str, str] | None:
        ini = self._alembic_ini()
        section: dict[str, str] = {}
        where: dict[str, str] = {}
        # Alembic resolves script_location from the folder it runs in: the ini's own.
        base = ini.parent if ini else self.root
        if ini is not None:
            name = ini.relative_to(self.root).as_posix()
            text = ini.read_text(encoding="utf-8")
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read_string(text)
            except configparser.Error as error:
                raise ProjectError(f"{ini}: cannot read it: {error}") from None
            if parser.has_section("alembic"):
                section = dict(parser.items("alembic"))
                for key in section:
                    line = _ini_line(text, "alembic", key)
                    where[key] = f"{name}:{line}" if line else name
        elif self.config.table("tool.alembic"):
            section = {k: str(v) for k, v in self.config.table("tool.alembic").items()}
            where = {k: self.config.where("tool.alembic", k) for k in section}
        if "script_location" not in section:
            return None
        location = section["script_location"].replace("%(here)s", str(base))
        location = location.replace("%%", "%")
        path = Path(location) if Path(location).is_absolute() else base / location
        relative = (
            path.resolve().relative_to(self.root).as_posix()
            if path.resolve().is_relative_to(self.root)
            else location
        )
        template = section.get("file_template", "").replace("%%", "%")
        return {
            "config": ini.relative_to(self.root).as_posix() if ini else "pyproject.toml",
            "script_location": relative,
            "script_where": where["script_location"],
            "file_template": template,
            "template_where": where.get("file_template", ""),
        }

    def _migrations(self, alembic: dict[str, str] | None) -> None:
        if alembic is None:
            dependency = self.config.dependency("alembic")
            note = f"; {dependency} but no alembic.ini" if dependency else ""
            self.set("migrations", "none", f"no alembic.ini or [tool.alembic]{note}", "config")
            return
        self.set("migrations", "alembic", f"{alembic['script_where']} script_location", "config")
        self.set("alembic_config", alembic["config"], alembic["script_where"], "config")
        self.set(
            "alembic_script_location",
            alembic["script_location"],
            alembic["script_where"],
            "config",
        )
        if alembic["file_template"]:
            self.set(
                "alembic_file_template",
                alembic["file_template"],
                alembic["template_where"],
                "config",
            )
        else:
            self.set(
                "alembic_file_template",
                ALEMBIC_DEFAULT_TEMPLATE,
                "Alembic's default (no file_template in alembic.ini)",
                "default",
            )

    # -- layout ---------------------------------------------------------------------------

    def _layout(
        self, models: dict[str, Where], package_dir: PurePosixPath, tests_dir: PurePosixPath
    ) -> None:
        self.routers = detect.find_routers(self.index)
        layout = detect.find_layout(self.index, package_dir, self.routers)
        chosen = self.decide("layout", layout.candidates(models), "the package layout")
        if chosen is None:
            self.warnings.append(
                "the layout is neither domain-first nor layer-first as far as the code shows; "
                'set `[tool.backsmith] layout = "domain"` or "layer"'
            )
            return
        files = detect.test_files(self.root, tests_dir)
        if chosen == "domain":
            paths = detect.domain_paths(self.index, layout, models, tests_dir, files)
        else:
            paths = detect.layer_paths(self.index, layout, models, files)
        for role in ("models", "schemas", "service", "router", "tests"):
            key = f"paths.{role}"
            claim = self.claims.get(key)
            candidate = paths.get(role)
            if candidate is not None and candidate.where:
                self.decide(key, [candidate], f"where {role} go")
            elif claim is not None:
                self.set(key, claim.value, f"CLAUDE.md:{claim.line}", "claude_md")
            elif candidate is not None:
                self.set(key, candidate.value, candidate.note, "default")
            else:
                default = self._default_path(role, chosen, package_dir, tests_dir)
                self.set(key, default, "no such module yet; the usual place", "default")

    @staticmethod
    def _default_path(role: str, layout: str, package: PurePosixPath, tests: PurePosixPath) -> str:
        if role == "tests":
            return f"{tests}/test_{{feature}}.py"
        if layout == "domain":
            return f"{package}/{{feature}}/{role}.py"
        folder = {
            "models": "models",
            "schemas": "schemas",
            "service": "services",
            "router": "routers",
        }
        return f"{package}/{folder[role]}/{{feature}}.py"

    # -- dependencies, settings, routers ---------------------------------------------------

    def _dependencies(self, models: dict[str, Where]) -> None:
        aliases, providers = self.session_candidates
        overridden = self.overrides.get("session_dependency")
        if overridden and self._is_function(overridden[0]):
            # Routes take the function itself (`Depends(get_db)`): it is its own provider.
            chosen = self.decide("session_dependency", [], "the session dependency")
            self.set("session_provider", chosen or "", self.facts["session_dependency"].evidence)
        elif aliases:
            chosen = self.decide("session_dependency", aliases, "the session dependency")
            provider = next((a.extra["provider"] for a in aliases if a.value == chosen), None)
            matching = [p for p in providers if p.value == provider]
            if matching:
                self.decide("session_provider", matching, "the session provider")
        elif providers:
            chosen = self.decide("session_dependency", providers, "the session dependency")
            self.set("session_provider", chosen or "", self.facts["session_dependency"].evidence)
        users = detect.find_user_models(self.index, models)
        user = self.decide("user_model", users, "the user model")
        user_qualname = None
        if user:
            module, _, name = user.partition(":")
            user_qualname = self.index.canonical(f"{module}.{name}")
        current = detect.find_current_user(self.index, user_qualname)
        chosen = self.decide("current_user_dependency", current, "the current-user dependency")
        provider = next((c.extra.get("provider") for c in current if c.value == chosen), None)
        if provider is None and chosen and self._is_function(chosen):
            provider = chosen  # a function, not an alias: it provides the user itself
        if provider:
            self.set(
                "current_user_provider", provider, self.facts["current_user_dependency"].evidence
            )
        self.decide("settings", detect.find_settings(self.index), "the settings object")
        self.decide(
            "model_registry",
            [c for c in [detect.model_registry(self.index, models)] if c],
            "the model registry",
        )

    def _is_function(self, value: str) -> bool:
        """Whether `module:name` is a function of the project (not an alias or a class)."""
        module, _, name = value.partition(":")
        found = self.index.split(f"{module}.{name}")
        return found is not None and found[1] in found[0].functions

    def _routers(self) -> None:
        includes = detect.find_includes(self.index)
        registries = detect.find_router_registries(self.index, self.routers, includes)
        self.decide("router_registry", registries, "where routers are registered")
        style = detect.router_prefix_style(self.routers, includes)
        if style:
            self.decide("router_prefix", [style], "where route prefixes are set")

    def _style(self, models: dict[str, Where]) -> None:
        pages = detect.find_pagination(self.index, self.routers, models)
        chosen = self.decide("pagination", pages, "the pagination style")
        page = next((p for p in pages if p.value == chosen), None)
        if page is not None:
            self.set("pagination_shape", page.extra["shape"], page.evidence)
            self.set("pagination_model", page.extra["model"], page.evidence)
            if page.extra["params"]:
                self.set("pagination_params", page.extra["params"], page.extra["params_evidence"])
        errors = detect.find_error_style(self.index)
        chosen = self.decide("errors", errors, "the error style")
        error = next((e for e in errors if e.value == chosen), None)
        if error is not None and error.extra.get("base"):
            self.set("error_base", error.extra["base"], error.evidence)

    def _existing_tables(self, models: dict[str, Where]) -> None:
        """The tables the project already has: a new entity may not take one's name."""
        generated = generated_files(self.root)
        migrations = [
            (self.root / path).read_text(encoding="utf-8", errors="replace")
            for path in generated
            if "/versions/" in path and (self.root / path).is_file()
        ]
        sqlmodel = (self.found("orm") or "") == "sqlmodel"
        created = conventions.tables_created_in(migrations)
        tables = conventions.existing_tables(self.index, models, sqlmodel, created)
        self.set("tables", tables.value, tables.evidence or tables.note)

    def _conventions(self) -> None:
        """How the team shapes what the wiring facts name (see `conventions.py`)."""
        user = self.found("user_model")
        if user:
            sqlmodel = (self.found("orm") or "") == "sqlmodel"
            for key, candidate in conventions.user_details(self.index, user, sqlmodel).items():
                self.set(key, candidate.value, candidate.evidence)
        if "superuser_flag" not in self.facts and user:
            self.set(
                "superuser_flag", conventions.NONE, f"{user}: no is_superuser/is_admin", "default"
            )
        base = self.found("error_base")
        errors = conventions.error_classes(self.index, base) if base else None
        if errors and self.found("errors") != "http_exception":
            self.set("error_classes", errors.value, errors.evidence)
        model = self.found("pagination_model")
        if model:
            params = tuple(p.strip() for p in (self.found("pagination_params") or "").split(","))
            generic, params_model = conventions.page_models(self.index, model, params)
            self.set("pagination_model_generic", generic.value, generic.evidence)
            if params_model:
                self.set("pagination_params_model", params_model.value, params_model.evidence)
        provider = self.found("session_provider")
        commits = conventions.session_commits(self.index, provider) if provider else None
        if commits:
            self.set("session_commits", commits.value, commits.evidence)
        services = conventions.service_providers(self.index)
        if services:
            self.set("service_providers", services.value, services.evidence)
        else:
            self.set("service_providers", conventions.NONE, "no XServiceDep alias", "default")
        names = conventions.table_names(self.index, self.found("user_table"))
        self.set(
            "table_names",
            names.value,
            names.evidence or names.note,
            "code" if names.where else "default",
        )
        suffix = conventions.read_suffix(self.index)
        self.set(
            "read_suffix",
            suffix.value,
            suffix.evidence or suffix.note,
            "code" if suffix.where else "default",
        )
        statuses = conventions.error_statuses(self.index, generated_files(self.root))
        self.set(
            "error_statuses",
            statuses.value,
            statuses.evidence or statuses.note,
            "code" if statuses.where else "default",
        )

    # -- tests ----------------------------------------------------------------------------

    def _tests_dir(self, package_dir: Path) -> str:
        """`testpaths`, else tests/, else tests inside the package (app/tests/)."""
        options = self.config.table("tool.pytest.ini_options")
        paths = options.get("testpaths")
        if isinstance(paths, list) and paths:
            return str(paths[0]).rstrip("/")
        inside = package_dir / "tests"
        if not (self.root / "tests").is_dir() and inside.is_dir():
            return inside.relative_to(self.root).as_posix()
        return "tests"

    def _tests(self, tests_dir: PurePosixPath) -> None:
        options = self.config.table("tool.pytest.ini_options")
        pytest = self.config.dependency("pytest")
        conftest = self.root / tests_dir / "conftest.py"
        evidence = []
        if options:
            line = toml_line_of_table(self.config.text, "tool.pytest.ini_options")
            evidence.append(f"pyproject.toml:{line} [tool.pytest.ini_options]")
        if (self.root / "pytest.ini").is_file():
            evidence.append("pytest.ini")
        if pytest:
            evidence.append(str(pytest))
        if conftest.is_file():
            evidence.append(f"{tests_dir}/conftest.py")
        if not evidence:
            return
        asyncio = self.config.dependency("pytest-asyncio")
        framework = "pytest + pytest-asyncio" if asyncio or "asyncio_mode" in options else "pytest"
        if asyncio:
            evidence.append(str(asyncio))
        self.set("test_framework", framework, "; ".join(evidence), "config")
        if framework.endswith("asyncio"):
            mode = str(options.get("asyncio_mode", "strict"))
            where = self.config.where("tool.pytest.ini_options", "asyncio_mode")
            source: FactSource = "config" if "asyncio_mode" in options else "default"
            self.set(
                "test_asyncio_mode",
                mode,
                where if source == "config" else "pytest-asyncio's default",
                source,
            )
        fixtures = detect.find_fixtures(self.index)
        user = self.found("user_model")
        user_qualname = None
        if user:
            module, _, name = user.partition(":")
            user_qualname = self.index.canonical(f"{module}.{name}")
        kinds = detect.classify_fixtures(self.index, fixtures, user_qualname)
        clients = kinds["clients"]
        if clients:
            # Several client fixtures (anonymous, signed in) are normal: `client` is the base.
            client = next((c for c in clients if c.value == "client"), clients[0])
            shown = client.evidence
            if len(clients) > 1:
                shown += f"; also {', '.join(c.value for c in clients if c is not client)}"
            self.set("test_client_fixture", client.value, shown)
            self.set("test_client", client.extra["kind"], shown)
        for key, found in (
            ("test_db_fixture", kinds["sessions"]),
            ("test_user_fixtures", kinds["users"]),
        ):
            if found:
                value = ", ".join(c.value for c in found)
                self.set(key, value, detect.format_evidence(w for c in found for w in c.where))
        if kinds["setup"]:
            setup = kinds["setup"][0]
            self.set("test_db_setup", setup.value, setup.evidence)

    # -- tooling -----------------------------------------------------------------------------

    def _tooling(self) -> None:
        self._ruff()
        self._mypy()
        python = self.config.table("project").get("requires-python")
        if python:
            self.set(
                "python", str(python), self.config.where("project", "requires-python"), "config"
            )
        self._outdated_libraries()

    def _outdated_libraries(self) -> None:
        """Libraries whose declared versions all come before the API backsmith writes:
        SQLAlchemy 1.x has no `Mapped`, Pydantic 1 no `model_validate`, and FastAPI before
        0.100 runs on Pydantic 1."""
        floors = dict(OLDEST_SUPPORTED)
        found = [
            (dependency.spec, dependency)
            for dependency in self.config.declared
            if dependency.name in floors and _only_before(dependency.spec, floors[dependency.name])
        ]
        if found:
            self.set(
                "outdated_libraries",
                ", ".join(text for text, _ in found),
                "; ".join(str(dependency) for _, dependency in found),
                "config",
            )

    def _ruff(self) -> None:
        for name in ("ruff.toml", ".ruff.toml"):
            path = self.root / name
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as error:
                    raise ProjectError(f"{path}: invalid TOML: {error}") from None
                self._ruff_from(data, _TomlPlaces(name, text, ""))
                return
        table = self.config.table("tool.ruff")
        if table:
            self._ruff_from(table, _TomlPlaces("pyproject.toml", self.config.text, "tool.ruff"))
            return
        ruff = self.config.dependency("ruff")
        if ruff:
            self.set("formatter", "ruff", str(ruff), "dependency")
            self.set("ruff_line_length", "88", f"ruff's default; {ruff}", "default")
            self.set("ruff_select", RUFF_DEFAULT_SELECT, f"ruff's default; {ruff}", "default")
        elif self.config.table("tool.black") or self.config.dependency("black"):
            black = self.config.table("tool.black")
            self.set(
                "formatter",
                "black",
                self.config.where("tool", "black") if black else "black",
                "config",
            )

    def _ruff_from(self, data: dict[str, Any], places: _TomlPlaces) -> None:
        length = data.get("line-length")
        if length is not None:
            self.set("ruff_line_length", str(length), places.where("", "line-length"), "config")
        else:
            self.set(
                "ruff_line_length", "88", f"ruff's default ({places.file} sets none)", "default"
            )
        lint = data.get("lint", {})
        table = "lint" if "select" in lint or "extend-select" in lint else ""
        select = lint.get("select", data.get("select"))
        extend = lint.get("extend-select", data.get("extend-select", []))
        if select is not None or extend:
            rules = ", ".join([*(select or RUFF_DEFAULT_SELECT.split(", ")), *extend])
            key = "select" if select is not None else "extend-select"
            self.set("ruff_select", rules, places.where(table, key), "config")
        else:
            self.set("ruff_select", RUFF_DEFAULT_SELECT, "ruff's default (no select)", "default")
        self.set("formatter", "ruff", f"{places.where('', '')} ruff configuration", "config")

    def _mypy(self) -> None:
        table = self.config.table("tool.mypy")
        if table:
            strict = bool(table.get("strict", False))
            where = (
                self.config.where("tool.mypy", "strict")
                if "strict" in table
                else f"pyproject.toml:{toml_line_of_table(self.config.text, 'tool.mypy')} "
                "(no strict in [tool.mypy])"
            )
            self.set("mypy_strict", str(strict).lower(), where, "config")
            plugins = table.get("plugins", [])
            if plugins:
                listed = ", ".join(plugins) if isinstance(plugins, list) else str(plugins)
                self.set(
                    "mypy_plugins", listed, self.config.where("tool.mypy", "plugins"), "config"
                )
            return
        for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
            path = self.root / name
            if not path.is_file():
                continue
            parser = configparser.ConfigParser(interpolation=None)
            text = path.read_text(encoding="utf-8")
            parser.read_string(text)
            if parser.has_section("mypy"):
                strict = parser.get("mypy", "strict", fallback="false").strip().lower() in {
                    "true",
                    "1",
                    "yes",
                }
                line = _ini_line(text, "mypy", "strict")
                self.set(
                    "mypy_strict", str(strict).lower(), f"{name}:{line}" if line else name, "config"
                )
                plugins = parser.get("mypy", "plugins", fallback="")
                if plugins:
                    self.set(
                        "mypy_plugins",
                        plugins.strip(),
                        f"{name}:{_ini_line(text, 'mypy', 'plugins')}",
                        "config",
                    )
                return
        mypy = self.config.dependency("mypy")
        if mypy:
            self.set("mypy_strict", "false", f"no mypy configuration; {mypy}", "default")

    # -- the result ----------------------------------------------------------------------------

    def _profile(self, package: str) -> ProjectProfile:
        conventions = []
        if self.claude:
            conventions = [
                Fact(value=s.text, evidence=f"{self.claude.file}:{s.line}", source="claude_md")
                for s in self.claude.conventions
            ]
        settings = self.config.table("tool.backsmith")
        name = self.config.table("project").get("name") or self.config.table("tool.poetry").get(
            "name"
        )
        return ProjectProfile(
            root=self.root,
            stack=SUPPORTED_STACK,
            name=str(name or self.root.name),
            facts=self.facts,
            package=self.found("package") or package,
            coverage_threshold=int(settings.get("coverage_threshold", 90)),
            conventions=conventions,
            warnings=self.warnings,
        )


@dataclass(frozen=True)
class _TomlPlaces:
    """Lines of keys in one TOML file, under a root table ('' for ruff.toml)."""

    file: str
    text: str
    root: str

    def where(self, table: str, key: str) -> str:
        full = ".".join(p for p in (self.root, table) if p)
        line = toml_line(self.text, full, key) if key else toml_line_of_table(self.text, full)
        return f"{self.file}:{line}" if line else self.file


def toml_line_of_table(text: str, table: str) -> int | None:
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.strip() == f"[{table}]":
            return number
    return None


def _ini_line(text: str, section: str, key: str) -> int | None:
    current = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == section and re.match(rf"{re.escape(key)}\s*[=:]", line):
            return number
    return None


def _same(claimed: str, found: str) -> bool:
    """A CLAUDE.md path may leave out a `src/` prefix the code has."""
    return claimed == found or found.endswith(f"/{claimed}")


def _sibling_packages(
    import_root: Path, package_dir: Path, not_these: list[Path | None]
) -> list[Path]:
    """Other importable packages beside the application package (with an `__init__.py`)."""
    excluded = {p.resolve() for p in not_these if p is not None}
    return [
        folder
        for folder in sorted(import_root.iterdir())
        if folder.is_dir()
        and folder != package_dir
        and (folder / "__init__.py").is_file()
        and not folder.name.startswith((".", "_"))
        and folder.name not in NOT_PACKAGES
        and folder.resolve() not in excluded
    ]


def _is_test(path: Path) -> bool:
    """A test module or fixture file: under a `tests` folder, `test_*.py`, `conftest.py`."""
    return (
        path.name == "conftest.py"
        or path.name.startswith("test_")
        or path.stem.endswith("_test")
        or "tests" in path.parent.parts
    )


def _newer_python_required(requires: object) -> str | None:
    """`3.14` when the project's requires-python starts above the running Python."""
    if not isinstance(requires, str):
        return None
    floor = re.search(r">=\s*(\d+)\.(\d+)", requires)
    if floor is None:
        return None
    wanted = (int(floor.group(1)), int(floor.group(2)))
    return f"{wanted[0]}.{wanted[1]}" if wanted > sys.version_info[:2] else None


def _override_hint(key: str, example: str) -> str:
    if key.startswith("paths."):
        return f'`[tool.backsmith.paths] {key.partition(".")[2]} = "{example}"`'
    return f'`[tool.backsmith] {key} = "{example}"`'
