"""A project's house style: what generated code must look like to read as the team's own.

Built from the inspect profile (every fact with evidence) plus the few details templates
need that are not facts of their own, read from the code with `ast` (the user table and
its id type, the exception class for each status, the page model's fields). Nothing here
imports or runs the project's code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from backsmith.errors import ProjectError
from backsmith.project.detect import CodeIndex
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
    is_async: bool
    sqlmodel: bool
    base: Symbol
    session_dependency: Symbol
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
    session_commits: bool  # the session dependency commits; else services commit
    error_media_type: str | None  # how errors are served, when not plain JSON
    # Where the project's services are classes built per request by a dependency (the
    # module that defines `XServiceDep`), else None: services are module functions.
    service_providers: str | None

    @property
    def service_classes(self) -> bool:
        return self.service_providers is not None

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
        return self.paths[layer].removesuffix(".py").replace("/", ".")

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


def _index(profile: ProjectProfile) -> CodeIndex:
    index = CodeIndex(profile.root)
    package_dir = profile.root / profile.package.replace(".", "/")
    index.add_tree(profile.root, package_dir, "app")
    return index


def _class_constant(node: ast.ClassDef, names: tuple[str, ...]) -> object:
    for statement in node.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            named = isinstance(target, ast.Name) and target.id in names
            if named and isinstance(value, ast.Constant):
                return value.value
    return None


def _user_details(index: CodeIndex, user: Symbol, sqlmodel: bool) -> tuple[str, str, str | None]:
    """The user model's table, the Python type of its id, and its administrator flag."""
    qualname = index.canonical(f"{user.module}.{user.name}") or f"{user.module}.{user.name}"
    chain = [qualname]
    table: str | None = None
    id_type = "int"
    flag: str | None = None
    seen: set[str] = set()
    while chain:
        current = chain.pop(0)
        if current in seen:
            continue
        seen.add(current)
        found = index.class_def(current)
        if found is None:
            continue
        node = found[1]
        constant = _class_constant(node, ("__tablename__",))
        if table is None and isinstance(constant, str):
            table = constant
        for statement in node.body:
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            name, annotation = statement.target.id, ast.unparse(statement.annotation)
            if name == "id" and "uuid" in annotation.lower():
                id_type = "uuid.UUID"
            if name in ("is_superuser", "is_admin") and "bool" in annotation:
                flag = flag or name
        chain += index.bases(current)
    if table is None:
        # SQLModel names a table after its class; SQLAlchemy needs __tablename__.
        table = user.name.lower() if sqlmodel else ""
    if not table:
        raise ProjectError(
            f"{user.module}:{user.name}: cannot tell the user table's name",
            hint="set `__tablename__` on the user model",
        )
    return table, id_type, flag


def _error_classes(index: CodeIndex, profile: ProjectProfile) -> dict[int, Symbol]:
    """The project's exception class for each HTTP status, where it has one."""
    if profile.value("errors") == "http_exception":
        return {}
    base_value = profile.value("error_base")
    if not base_value:
        return {}
    base = Symbol.parse(base_value, "error_base")
    base_qualname = index.canonical(f"{base.module}.{base.name}") or ""
    found: dict[int, Symbol] = {}
    for module, node, qualname in index.classes():
        if not index.inherits(qualname, {base_qualname}):
            continue
        status = _class_constant(node, ("status_code", "status"))
        if isinstance(status, int) and status not in found:
            found[status] = Symbol(module.name, node.name)
    return found


def _pagination(index: CodeIndex, profile: ProjectProfile) -> Pagination:
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
    model_value = profile.value("pagination_model")
    model: Symbol | None = None
    params_model: Symbol | None = None
    if model_value:
        candidate = Symbol.parse(model_value, "pagination_model")
        found = index.class_def(f"{candidate.module}.{candidate.name}")
        generic = found is not None and any(
            isinstance(b, ast.Subscript) or ast.unparse(b) == "Generic" for b in found[1].bases
        )
        model = candidate if generic else None
        owner = index.modules.get(candidate.module)
        for name, node in owner.classes.items() if owner else ():
            fields = {
                s.target.id
                for s in node.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
            }
            if fields and fields == set(params[:2]):
                params_model = Symbol(candidate.module, name)
    return Pagination(kind, shape, params[:2], model, params_model)


def _session_commits(index: CodeIndex, profile: ProjectProfile) -> bool:
    """Whether the session dependency commits when the request ends (else services do)."""
    provider = profile.value("session_provider")
    if not provider:
        return False
    module, _, name = provider.partition(":")
    found = index.modules.get(module)
    function = found.functions.get(name) if found else None
    if function is None:
        return False
    return any(
        isinstance(node, ast.Attribute) and node.attr == "commit" for node in ast.walk(function)
    )


def _service_providers(index: CodeIndex) -> str | None:
    """The module of `XServiceDep = Annotated[XService, Depends(...)]`, when services are
    classes taking the session and the user (`XService(session, user)`)."""
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            if not (name.endswith("ServiceDep") and isinstance(value, ast.Subscript)):
                continue
            if ast.unparse(value.value).rpartition(".")[2] != "Annotated":
                continue
            target = value.slice.elts[0] if isinstance(value.slice, ast.Tuple) else None
            service = index.resolve(module, target) if target is not None else None
            found = index.class_def(service) if service else None
            init = next(
                (
                    n
                    for n in (found[1].body if found else [])
                    if isinstance(n, ast.FunctionDef) and n.name == "__init__"
                ),
                None,
            )
            if init is not None and [a.arg for a in init.args.args] == [
                "self",
                "session",
                "user",
            ]:
                return module.name
    return None


def _plural_tables(index: CodeIndex, user_table: str) -> bool:
    """Whether the project names tables in the plural, judged by its `__tablename__`s."""
    tables = [
        name
        for _module, node, _qualname in index.classes()
        if isinstance(name := _class_constant(node, ("__tablename__",)), str)
    ] or [user_table]
    plural = sum(1 for table in tables if table.endswith("s"))
    return plural * 2 > len(tables)


READ_SUFFIXES = ("Public", "Out", "Read", "Response")


def _read_suffix(index: CodeIndex, profile: ProjectProfile) -> str:
    """The suffix the project's response schemas carry, the commonest one if several."""
    counts = dict.fromkeys(READ_SUFFIXES, 0)
    for _module, node, _qualname in index.classes():
        for suffix in READ_SUFFIXES:
            stem = node.name.removesuffix(suffix)
            if stem != node.name and stem and stem[0].isupper():
                counts[suffix] += 1
    best = max(READ_SUFFIXES, key=lambda suffix: counts[suffix])
    return best if counts[best] else "Read"


def read_house_style(profile: ProjectProfile, feature: str) -> HouseStyle:
    """The house style of the profiled project, with the paths of `feature`'s files."""
    index = _index(profile)
    flavour = _required(profile, "flavour")
    sqlmodel = flavour.startswith("sqlmodel")
    user = Symbol.parse(_required(profile, "user_model"), "user_model")
    user_table, user_id_type, superuser_flag = _user_details(index, user, sqlmodel)
    templates = {layer: _required(profile, f"paths.{layer}") for layer in LAYERS}
    paths = {layer: path.replace("{feature}", feature) for layer, path in templates.items()}
    versions = f"{_required(profile, 'alembic_script_location').rstrip('/')}/versions"
    return HouseStyle(
        root=profile.root,
        package=profile.package,
        is_async=flavour.endswith("-async"),
        sqlmodel=sqlmodel,
        base=Symbol.parse(_required(profile, "base"), "base"),
        session_dependency=Symbol.parse(
            _required(profile, "session_dependency"), "session_dependency"
        ),
        current_user_dependency=Symbol.parse(
            _required(profile, "current_user_dependency"), "current_user_dependency"
        ),
        current_user_provider=Symbol.parse(
            _required(profile, "current_user_provider"), "current_user_provider"
        ),
        user_model=user,
        user_table=user_table,
        user_id_type=user_id_type,
        superuser_flag=superuser_flag,
        app=Symbol.parse(_required(profile, "app"), "app"),
        errors=_error_classes(index, profile),
        pagination=_pagination(index, profile),
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
        read_suffix=_read_suffix(index, profile),
        plural_tables=_plural_tables(index, user_table),
        session_commits=_session_commits(index, profile),
        service_providers=_service_providers(index),
        error_media_type="application/problem+json"
        if profile.value("errors") == "problem_json"
        else None,
    )
