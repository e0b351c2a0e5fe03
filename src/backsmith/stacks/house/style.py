"""A project's house style: what generated code must look like to read as the team's own.

Built from the inspect profile alone: every detail the templates follow is a fact there,
with its evidence and a `[tool.backsmith]` override, so nothing here reads the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from backsmith.errors import ProjectError
from backsmith.project.conventions import NONE, parse_error_classes, parse_tables
from backsmith.project.profile import ProjectProfile
from backsmith.spec.model import pluralize, snake

HTTP_EXCEPTION = "HTTPException"
# Layers the house blueprint writes, and the profile facts that say where.
LAYERS = ("models", "schemas", "service", "router", "tests")


@dataclass(frozen=True)
class Symbol:
    """A name a generated module imports: `from module import name`."""

    module: str
    name: str

    @classmethod
    def parse(cls, value: str, key: str) -> Symbol:
        module, _, name = value.partition(":")
        if not module or not name:
            raise ProjectError(f"the profile's {key} is {value!r}, not module:name")
        return cls(module, name)

    @property
    def import_line(self) -> str:
        return f"from {self.module} import {self.name}"


@dataclass(frozen=True)
class Pagination:
    kind: str  # offset or page
    shape: tuple[str, ...]  # the page's fields: data, count / items, total, limit, offset ...
    params: tuple[str, ...]  # the list's query parameters: skip, limit / page, size
    model: Symbol | None  # the project's generic page model; None: a page class per entity
    params_model: Symbol | None  # a query-parameter model the project's lists take

    @property
    def rows_key(self) -> str:
        return self.shape[0]

    @property
    def total_key(self) -> str:
        return self.shape[1]

    @property
    def size_param(self) -> str:
        return self.params[1]

    @property
    def start_param(self) -> str:
        return self.params[0]


@dataclass(frozen=True)
class HouseStyle:
    root: Path
    package: str
    source_root: str  # where modules are imported from: "." or "src"
    is_async: bool
    sqlmodel: bool
    base: Symbol
    session_dependency: Symbol
    session_provider: Symbol | None
    current_user_dependency: Symbol
    current_user_provider: Symbol
    user_model: Symbol
    user_table: str
    user_id_type: str  # `int` or `uuid.UUID`
    superuser_flag: str | None  # the user column that makes an administrator
    app: Symbol
    errors: dict[int, Symbol]  # the exception services raise for each status
    pagination: Pagination
    paths: dict[str, str]  # layer -> path, `{feature}` filled in
    router_registry: Symbol
    router_prefix: str  # router: `APIRouter(prefix=...)`; include_router: at the include
    model_registry: str  # the file that imports every models module
    alembic_versions: str
    client_fixture: str
    db_fixture: str
    async_tests: bool
    asyncio_strict: bool
    path_templates: dict[str, str]  # layer -> path with `{feature}`, as the profile gives it
    read_suffix: str  # what the project calls response schemas: ItemPublic, ProjectOut ...
    plural_tables: bool  # `products` rather than `product`
    existing_tables: dict[str, str]  # table -> module:Class, as the project's models have them
    session_commits: bool  # the session dependency commits; else services commit
    error_media_type: str | None  # how errors are served, when not plain JSON
    # Where the project's services are classes built per request by a dependency (the
    # module that defines `XServiceDep`), else None: services are module functions.
    service_providers: str | None

    @property
    def service_classes(self) -> bool:
        return self.service_providers is not None

    # A dependency is an `Annotated[..., Depends(f)]` alias (`SessionDep`), or, where the
    # project has none, the function itself (`db: Session = Depends(get_db)` in its routes):
    # then the profile names the same function as the dependency and its provider, and a
    # generated parameter spells the Annotated type out.

    @property
    def session_type(self) -> str:
        if self.session_dependency != self.session_provider:
            return self.session_dependency.name
        return f"Annotated[{self.session_class[0]}, Depends({self.session_dependency.name})]"

    @property
    def current_user_type(self) -> str:
        if self.current_user_dependency != self.current_user_provider:
            return self.current_user_dependency.name
        return f"Annotated[{self.user_model.name}, Depends({self.current_user_dependency.name})]"

    @property
    def session_class(self) -> tuple[str, str]:
        """The session's class, and its import line."""
        if self.is_async:
            return "AsyncSession", "from sqlalchemy.ext.asyncio import AsyncSession"
        if self.sqlmodel:
            return "Session", "from sqlmodel import Session"
        return "Session", "from sqlalchemy.orm import Session"

    @property
    def dependency_imports(self) -> list[str]:
        """What a module taking the session and the signed-in user imports for them."""
        lines = [self.session_dependency.import_line, self.current_user_dependency.import_line]
        if self.session_dependency == self.session_provider:
            lines += ["from typing import Annotated", "from fastapi import Depends"]
            lines.append(self.session_class[1])
        if self.current_user_dependency == self.current_user_provider:
            lines += ["from typing import Annotated", "from fastapi import Depends"]
            lines.append(self.user_model.import_line)
        return list(dict.fromkeys(lines))

    def table_name(self, entity: str) -> str:
        """The table of a new entity, named as the project names its tables."""
        singular = snake(entity)
        if self.sqlmodel and not self.plural_tables:
            return entity.lower()  # SQLModel's own default: no __tablename__ needed
        return pluralize(singular) if self.plural_tables else singular

    def error(self, status: int) -> Symbol:
        return self.errors.get(status, Symbol("fastapi", HTTP_EXCEPTION))

    def module_of(self, layer: str) -> str:
        """The dotted module a layer's path is imported as."""
        return self.module_at(self.paths[layer])

    def module_at(self, path: str) -> str:
        """The dotted module a file of the project is imported as (`src/` left out)."""
        prefix = "" if self.source_root in ("", ".") else f"{self.source_root}/"
        return path.removeprefix(prefix).removesuffix(".py").replace("/", ".")

    def file_of(self, module: str) -> str:
        """The file that defines a dotted module: `pkg/mod.py`, else `pkg/mod/__init__.py`."""
        prefix = "" if self.source_root in ("", ".") else f"{self.source_root}/"
        stem = prefix + module.replace(".", "/")
        return stem + ".py" if (self.root / f"{stem}.py").exists() else f"{stem}/__init__.py"

    def shared(self, layer: str) -> bool:
        """True when the layer is one module every feature adds to (`app/models.py`)."""
        return "{feature}" not in self.path_templates[layer]


def _required(profile: ProjectProfile, key: str) -> str:
    value = profile.value(key)
    if not value:
        raise ProjectError(
            f"{profile.root}: cannot tell {key.replace('_', ' ')} from the code",
            hint=f"set `{key}` in `[tool.backsmith]` of pyproject.toml (see `backsmith inspect`)",
        )
    return value


def _symbol(profile: ProjectProfile, key: str) -> Symbol | None:
    value = profile.value(key)
    return Symbol.parse(value, key) if value and value != NONE else None


def _user_table(profile: ProjectProfile, user: Symbol) -> str:
    table = profile.value("user_table")
    if not table:
        raise ProjectError(
            f"{user.module}:{user.name}: cannot tell the user table's name",
            hint="set `__tablename__` on the user model, or `user_table` in `[tool.backsmith]`",
        )
    return table


def _error_classes(profile: ProjectProfile) -> dict[int, Symbol]:
    """The project's exception class for each HTTP status, where it has one."""
    if profile.value("errors") == "http_exception":
        return {}
    return {
        status: Symbol.parse(symbol, "error_classes")
        for status, symbol in parse_error_classes(profile.value("error_classes") or "").items()
    }


def _pagination(profile: ProjectProfile) -> Pagination:
    kind = profile.value("pagination") or "offset"
    if kind not in ("offset", "page"):
        raise ProjectError(
            f"{profile.root}: lists here use {kind} pagination, which backsmith cannot yet "
            "write in a project's own style",
            hint='set `pagination = "offset"` in `[tool.backsmith]` to use skip/limit',
        )
    shape = tuple(
        part.strip() for part in (profile.value("pagination_shape") or "").strip("{}").split(",")
    )
    params = tuple(p.strip() for p in (profile.value("pagination_params") or "").split(","))
    if len(shape) < 2 or len(params) < 2:
        shape, params = ("data", "count"), ("skip", "limit")
    generic = profile.value("pagination_model_generic") == "true"
    model = _symbol(profile, "pagination_model") if generic else None
    return Pagination(kind, shape, params[:2], model, _symbol(profile, "pagination_params_model"))


def read_house_style(profile: ProjectProfile, feature: str) -> HouseStyle:
    """The house style of the profiled project, with the paths of `feature`'s files."""
    outdated = profile.facts.get("outdated_libraries")
    if outdated is not None:
        raise ProjectError(
            f"{profile.root}: the project keeps to older libraries than backsmith writes "
            f"for ({outdated.evidence}); the code it writes needs SQLAlchemy 2, Pydantic 2 "
            "and FastAPI 0.100 or newer",
            hint="upgrade those first (the code backsmith writes would not import), or "
            "generate the feature into a new project (`backsmith new`)",
        )
    flavour = _required(profile, "flavour")
    sqlmodel = flavour.startswith("sqlmodel")
    if not profile.value("user_model") and not profile.value("current_user_dependency"):
        # Neither piece of sign-in found: asking for `user_model` alone would send the
        # user looking for one thing when the feature needs both, or none exist.
        raise ProjectError(
            f"{profile.root}: backsmith cannot find this project's user accounts (a user "
            "model that stores a password, and the dependency that gives routes the "
            "signed-in user); a feature in an existing project needs them for now, even "
            "with only `public` grants",
            hint="if the project has them, name them in `[tool.backsmith]` (`user_model`, "
            "`current_user_dependency`; see `backsmith inspect`); if it has none, generate "
            "the feature into a new project (`backsmith new`)",
        )
    user = Symbol.parse(_required(profile, "user_model"), "user_model")
    superuser_flag = profile.value("superuser_flag")
    service_providers = profile.value("service_providers")
    templates = {layer: _required(profile, f"paths.{layer}") for layer in LAYERS}
    paths = {layer: path.replace("{feature}", feature) for layer, path in templates.items()}
    versions = f"{_required(profile, 'alembic_script_location').rstrip('/')}/versions"
    return HouseStyle(
        root=profile.root,
        package=profile.package,
        source_root=profile.value("source_root") or ".",
        is_async=flavour.endswith("-async"),
        sqlmodel=sqlmodel,
        base=Symbol.parse(_required(profile, "base"), "base"),
        session_dependency=Symbol.parse(
            _required(profile, "session_dependency"), "session_dependency"
        ),
        session_provider=_symbol(profile, "session_provider"),
        current_user_dependency=Symbol.parse(
            _required(profile, "current_user_dependency"), "current_user_dependency"
        ),
        current_user_provider=Symbol.parse(
            _required(profile, "current_user_provider"), "current_user_provider"
        ),
        user_model=user,
        user_table=_user_table(profile, user),
        user_id_type="uuid.UUID" if profile.value("user_id_type") == "uuid" else "int",
        superuser_flag=None if superuser_flag in (None, NONE) else superuser_flag,
        app=Symbol.parse(_required(profile, "app"), "app"),
        errors=_error_classes(profile),
        pagination=_pagination(profile),
        paths=paths,
        router_registry=Symbol.parse(_required(profile, "router_registry"), "router_registry"),
        router_prefix=profile.value("router_prefix") or "router",
        model_registry=_required(profile, "model_registry"),
        alembic_versions=versions,
        client_fixture=_required(profile, "test_client_fixture"),
        db_fixture=_required(profile, "test_db_fixture"),
        async_tests="AsyncClient" in (profile.value("test_client") or ""),
        asyncio_strict=profile.value("test_asyncio_mode") == "strict",
        path_templates=templates,
        read_suffix=profile.value("read_suffix") or "Read",
        plural_tables=profile.value("table_names") == "plural",
        existing_tables=parse_tables(profile.value("tables")),
        session_commits=profile.value("session_commits") == "true",
        service_providers=None if service_providers in (None, NONE) else service_providers,
        error_media_type="application/problem+json"
        if profile.value("errors") == "problem_json"
        else None,
    )
