"""Facts read from a project's code, never by importing or running it.

`CodeIndex` parses every module of the application package, the tests and the Alembic
environment with `ast` and resolves names through their imports, so that `Base`,
`app.core.db.Base` and a re-export of it are one thing. Each `find_*` function then
looks for one fact and returns its candidates, each with the file and line that show
it; deciding between candidates (and reporting ambiguity) is `inspect.py`'s job.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from backsmith.errors import ProjectError

FASTAPI = {"fastapi.FastAPI", "fastapi.applications.FastAPI"}
API_ROUTER = {"fastapi.APIRouter", "fastapi.routing.APIRouter"}
DECLARATIVE_BASES = {
    "sqlalchemy.orm.DeclarativeBase",
    "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase",
    "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
}
DECLARATIVE_FACTORIES = {
    "sqlalchemy.orm.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base",
    "sqlalchemy.ext.declarative.declarative_base",
}
SQLMODEL = {"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"}
SYNC_SESSIONS = {
    "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.Session",
    "sqlmodel.Session",
    "sqlmodel.orm.session.Session",
}
ASYNC_SESSIONS = {
    "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
}
ASYNC_ENGINES = {
    "sqlalchemy.ext.asyncio.create_async_engine",
    "sqlalchemy.ext.asyncio.engine.create_async_engine",
}
SYNC_ENGINES = {
    "sqlalchemy.create_engine",
    "sqlalchemy.engine.create_engine",
    "sqlmodel.create_engine",
}
BASE_SETTINGS = {
    "pydantic_settings.BaseSettings",
    "pydantic_settings.main.BaseSettings",
    "pydantic.BaseSettings",
    "pydantic.v1.BaseSettings",
}
PYDANTIC_MODELS = {"pydantic.BaseModel", "pydantic.main.BaseModel", *SQLMODEL}
ANNOTATED = {"typing.Annotated", "typing_extensions.Annotated"}
DEPENDS = {
    "fastapi.Depends",
    "fastapi.params.Depends",
    "fastapi.Security",
    "fastapi.params.Security",
}
HTTP_EXCEPTIONS = {
    "fastapi.HTTPException",
    "fastapi.exceptions.HTTPException",
    "starlette.exceptions.HTTPException",
}
TEST_CLIENTS = {
    "fastapi.testclient.TestClient": "fastapi.testclient.TestClient",
    "starlette.testclient.TestClient": "fastapi.testclient.TestClient",
    "httpx.AsyncClient": "httpx.AsyncClient",
}
FIXTURE_DECORATORS = {"pytest.fixture", "pytest_asyncio.fixture"}
PROBLEM_JSON = "application/problem+json"
ROUTE_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "api_route"}
# File names a domain-first package gives its router; anything else in a routes folder
# (items.py, users.py) is a layer-first resource module.
DOMAIN_ROUTER_STEMS = {"router", "routers", "routes", "views", "api", "endpoints", "controller"}
LAYER_FOLDERS = {"models", "schemas", "services", "service", "crud", "repositories"}
SERVICE_NAMES = {"service", "services", "crud", "cruds", "repository", "repositories"}
PAGE_PARAMS = ("skip", "offset", "page", "size", "per_page", "page_size", "limit", "cursor")
PAGE_MARKERS = {
    "count",
    "total",
    "next_cursor",
    "cursor",
    "next_page_token",
    "page",
    "size",
    "pages",
    "has_more",
}
KEYSET_MARKERS = {"next_cursor", "cursor", "next_page_token"}
# A database URL (`sqlite+aiosqlite:///...`, `postgresql://...`) or a scheme with a driver
# (`postgresql+psycopg`, as passed to PostgresDsn.build); a bare "sqlite" is not one.
URL_PATTERN = re.compile(
    r"^(?P<dialect>sqlite|postgresql|postgres|mysql|mariadb|mssql|oracle)"
    r"(?:\+(?P<driver>\w+))?(?:://|$)"
)
DEFAULT_DRIVERS = {
    "sqlite": "pysqlite",
    "postgresql": "psycopg2",
    "postgres": "psycopg2",
    "mysql": "mysqldb",
    "mariadb": "mysqldb",
    "mssql": "pyodbc",
    "oracle": "oracledb",
}
SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "env", "build", "dist", "site-packages"}


@dataclass(frozen=True)
class Where:
    """A line of a file, relative to the project root."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def format_evidence(wheres: Iterable[Where], note: str = "") -> str:
    """`a.py:3, 9; b.py:1 (note)`: lines grouped by file, in the order first seen."""
    by_file: dict[str, list[int]] = {}
    for where in wheres:
        lines = by_file.setdefault(where.file, [])
        if where.line not in lines:
            lines.append(where.line)
    text = "; ".join(f"{file}:{', '.join(map(str, lines))}" for file, lines in by_file.items())
    if note:
        return f"{text} ({note})" if text else note
    return text


@dataclass
class Candidate:
    """One possible value of a fact, with where the code shows it."""

    value: str
    where: list[Where] = field(default_factory=list)
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def evidence(self) -> str:
        return format_evidence(self.where, self.note)


@dataclass
class Module:
    """One parsed Python file and the names it defines or imports."""

    name: str  # dotted, as it is imported
    file: str  # relative to the project root
    kind: str  # "app", "tests" or "migrations"
    tree: ast.Module
    imports: dict[str, str] = field(default_factory=dict)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    assigns: dict[str, ast.expr] = field(default_factory=dict)
    assign_lines: dict[str, int] = field(default_factory=dict)

    @property
    def path(self) -> PurePosixPath:
        return PurePosixPath(self.file)

    @property
    def package(self) -> str:
        """The package relative imports in this module start from."""
        if self.path.name == "__init__.py":
            return self.name
        return self.name.rpartition(".")[0]

    def at(self, node: ast.AST) -> Where:
        return Where(self.file, getattr(node, "lineno", 1))

    def defines(self, name: str) -> bool:
        return name in self.classes or name in self.functions or name in self.assigns

    def resolve(self, expr: ast.expr | None) -> str | None:
        """The dotted name an expression refers to, through this module's imports."""
        text = dotted(expr)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        if head in self.imports:
            base = self.imports[head]
        elif self.defines(head):
            base = f"{self.name}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base


def dotted(expr: ast.expr | None) -> str | None:
    """`a.b.c` for Name/Attribute chains; the callee for calls is not followed."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted(expr.value)
        return f"{base}.{expr.attr}" if base else None
    return None


class UnparsableFile(ProjectError):
    """A module of the project that this Python's parser cannot read."""

    def __init__(self, relative: str, error: SyntaxError) -> None:
        super().__init__(
            f"{relative}:{error.lineno}: cannot parse this file: {error.msg}",
            hint="backsmith reads the code with Python's own parser; fix the syntax first",
        )
        self.relative = relative
        self.error = error


def _parse(path: Path, relative: str) -> ast.Module:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=relative)
    except SyntaxError as error:
        raise UnparsableFile(relative, error) from None
    except UnicodeDecodeError:
        raise ProjectError(f"{relative}: not UTF-8 text") from None


def _index_module(module: Module) -> None:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    module.imports[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    module.imports.setdefault(head, head)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:
                base = module.package.split(".") if module.package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                source = ".".join([*base, source] if source else base)
            for alias in node.names:
                if alias.name != "*":
                    module.imports[alias.asname or alias.name] = f"{source}.{alias.name}"
    for statement in module.tree.body:
        if isinstance(statement, ast.ClassDef):
            module.classes[statement.name] = statement
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions[statement.name] = statement
        elif isinstance(statement, ast.Assign):
            for target in statement.targets:
                if isinstance(target, ast.Name):
                    module.assigns[target.id] = statement.value
                    module.assign_lines[target.id] = statement.lineno
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value is not None
        ):
            module.assigns[statement.target.id] = statement.value
            module.assign_lines[statement.target.id] = statement.lineno


def walk_scoped(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    """Every node with the name of the top-level function it is in ('' at module level)."""
    for statement in tree.body:
        scope = (
            statement.name if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) else ""
        )
        for node in ast.walk(statement):
            yield node, scope


class CodeIndex:
    """Every module of the application package, the tests and the migration environment."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[str, Module] = {}
        self.unparsable: list[UnparsableFile] = []

    def add_tree(
        self,
        import_root: Path,
        directory: Path,
        kind: str,
        skip: Iterable[Path] = (),
        *,
        exclude: Callable[[Path], bool] | None = None,
        only: Callable[[Path], bool] | None = None,
    ) -> None:
        """Parse every .py file under `directory`; module names are relative to `import_root`.

        `skip` leaves out folders; `exclude` and `only` judge each file's path relative to
        `directory` (tests kept inside the package are told apart from its code that way).
        """
        skipped = [s.resolve() for s in skip]
        for path in sorted(directory.rglob("*.py")):
            relative = path.relative_to(directory)
            if any(p.startswith(".") or p in SKIPPED_DIRS for p in relative.parts[:-1]):
                continue
            if any(path.resolve().is_relative_to(s) for s in skipped):
                continue
            if (exclude and exclude(relative)) or (only and not only(relative)):
                continue
            try:
                self.add_file(import_root, path, kind)
            except UnparsableFile as error:
                # A stray file the app never imports must not stop the profile; what it
                # would have shown is missing, so the profiler says which file it left out.
                self.unparsable.append(error)

    def add_file(self, import_root: Path, path: Path, kind: str) -> Module:
        relative = path.relative_to(self.root).as_posix()
        parts = list(path.relative_to(import_root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts) or path.parent.name
        module = Module(name=name, file=relative, kind=kind, tree=_parse(path, relative))
        _index_module(module)
        self.modules[name] = module
        return module

    def of_kind(self, kind: str) -> list[Module]:
        return [m for m in self.modules.values() if m.kind == kind]

    def canonical(self, name: str | None) -> str | None:
        """Follow re-exports: `app.models.User` -> `app.models.user.User`."""
        for _ in range(12):
            if name is None or name in self.modules:
                return name
            prefix, attr = name, ""
            while "." in prefix and prefix not in self.modules:
                prefix, _, last = prefix.rpartition(".")
                attr = f"{last}.{attr}" if attr else last
            module = self.modules.get(prefix)
            if module is None or not attr:
                return name
            head, _, rest = attr.partition(".")
            if module.defines(head):
                return name
            if head in module.imports:
                target = module.imports[head]
            elif f"{prefix}.{head}" in self.modules:
                target = f"{prefix}.{head}"
            else:
                return name
            name = f"{target}.{rest}" if rest else target
        return name

    def resolve(self, module: Module, expr: ast.expr | None) -> str | None:
        return self.canonical(module.resolve(expr))

    def split(self, qualname: str) -> tuple[Module, str] | None:
        """The module a project-level name is defined in, and the name there."""
        prefix, _, attr = qualname.rpartition(".")
        module = self.modules.get(prefix)
        if module is None or not module.defines(attr):
            return None
        return module, attr

    def class_def(self, qualname: str) -> tuple[Module, ast.ClassDef] | None:
        found = self.split(qualname)
        if found and found[1] in found[0].classes:
            return found[0], found[0].classes[found[1]]
        return None

    def bases(self, qualname: str) -> list[str]:
        found = self.class_def(qualname)
        if found is None:
            return []
        module, node = found
        names = []
        for base in node.bases:
            target = base.value if isinstance(base, ast.Subscript) else base
            resolved = self.resolve(module, target)
            if resolved:
                names.append(resolved)
        return names

    def inherits(self, qualname: str, targets: set[str], _seen: set[str] | None = None) -> bool:
        seen = _seen if _seen is not None else set()
        if qualname in seen:
            return False
        seen.add(qualname)
        for base in self.bases(qualname):
            if base in targets or self.inherits(base, targets, seen):
                return True
        return False

    def classes(self, kind: str = "app") -> Iterator[tuple[Module, ast.ClassDef, str]]:
        for module in self.of_kind(kind):
            for name, node in module.classes.items():
                yield module, node, f"{module.name}.{name}"


def symbol(qualname: str, index: CodeIndex) -> str:
    """`app.core.db:Base` for `app.core.db.Base`: module and name, as `uvicorn` spells them."""
    found = index.split(qualname)
    if found:
        return f"{found[0].name}:{found[1]}"
    module, _, name = qualname.rpartition(".")
    return f"{module}:{name}"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _names_in(index: CodeIndex, module: Module, expr: ast.expr | None) -> set[str]:
    """Every name an annotation mentions, resolved: `AsyncIterator[AsyncSession]` -> both."""
    if expr is None:
        return set()
    found = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name | ast.Attribute):
            resolved = index.resolve(module, node)
            if resolved:
                found.add(resolved)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # A string annotation ("User"): parse it and look inside.
            try:
                inner = ast.parse(node.value, mode="eval").body
            except SyntaxError:
                continue
            found |= _names_in(index, module, inner)
    return found


def _is_generator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(function))


def _annotated_dependency(
    index: CodeIndex, module: Module, value: ast.expr
) -> tuple[ast.expr, str] | None:
    """For `Annotated[T, Depends(f)]`: T and f's resolved name."""
    if not isinstance(value, ast.Subscript) or index.resolve(module, value.value) not in ANNOTATED:
        return None
    if not isinstance(value.slice, ast.Tuple) or len(value.slice.elts) < 2:
        return None
    kind, *metadata = value.slice.elts
    for item in metadata:
        if isinstance(item, ast.Call) and index.resolve(module, item.func) in DEPENDS and item.args:
            provider = index.resolve(module, item.args[0])
            if provider:
                return kind, provider
    return None


def _is_optional(expr: ast.expr) -> bool:
    if isinstance(expr, ast.BinOp):
        return any(isinstance(s, ast.Constant) and s.value is None for s in (expr.left, expr.right))
    if isinstance(expr, ast.Subscript):
        return dotted(expr.value) in {"Optional", "typing.Optional"}
    return False


def _depends_on_params(
    index: CodeIndex, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> bool:
    """Whether a function takes FastAPI dependencies (so it is one itself)."""
    arguments = function.args
    for node in [*arguments.defaults, *arguments.kw_defaults]:
        if isinstance(node, ast.Call) and index.resolve(module, node.func) in DEPENDS:
            return True
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        names = _names_in(index, module, argument.annotation)
        if names & (ANNOTATED | DEPENDS):
            return True
        for name in names:
            found = index.split(name)
            if (
                found
                and found[1] in found[0].assigns
                and _annotated_dependency(index, found[0], found[0].assigns[found[1]])
            ):
                return True
    return False


# --- the application ---------------------------------------------------------------


def find_apps(index: CodeIndex) -> list[Candidate]:
    """`FastAPI(...)` instantiations in the application package."""
    found = []
    for module in index.of_kind("app"):
        for node, scope in walk_scoped(module.tree):
            if isinstance(node, ast.Call) and index.resolve(module, node.func) in FASTAPI:
                found.append(_app_candidate(index, module, node, scope))
    return found


def _app_candidate(index: CodeIndex, module: Module, call: ast.Call, scope: str) -> Candidate:
    if not scope:
        for name, value in module.assigns.items():
            if value is call:
                return Candidate(f"{module.name}:{name}", [module.at(call)])
    # Made in a factory: the module-level object built by calling it, if any.
    for name, value in module.assigns.items():
        if (
            isinstance(value, ast.Call)
            and index.resolve(module, value.func) == f"{module.name}.{scope}"
        ):
            where = [Where(module.file, module.assign_lines[name]), module.at(call)]
            return Candidate(f"{module.name}:{name}", where, note=f"made by {scope}()")
    return Candidate(f"{module.name}:{scope}", [module.at(call)], note="app factory")


# --- ORM ------------------------------------------------------------------------------


def find_bases(index: CodeIndex) -> list[Candidate]:
    """Declarative bases: `class Base(DeclarativeBase)` or `Base = declarative_base()`."""
    found = []
    for module, node, qualname in index.classes():
        bases = index.bases(qualname)
        if any(b in DECLARATIVE_BASES for b in bases):
            note = f"class {node.name}({', '.join(b.rpartition('.')[2] for b in bases)})"
            found.append(Candidate(symbol(qualname, index), [module.at(node)], note=note))
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            if isinstance(value, ast.Call):
                callee = index.resolve(module, value.func) or ""
                if callee in DECLARATIVE_FACTORIES or callee.endswith(".generate_base"):
                    where = Where(module.file, module.assign_lines[name])
                    found.append(
                        Candidate(f"{module.name}:{name}", [where], note=f"{name} = {callee}()")
                    )
    return found


def _keyword_true(node: ast.ClassDef, name: str) -> bool:
    return any(
        k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in node.keywords
    )


def _class_attr(node: ast.ClassDef, name: str) -> ast.expr | None:
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == name for t in statement.targets):
                return statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == name
        ):
            return statement.value
    return None


def find_models(index: CodeIndex, base: str | None) -> dict[str, Where]:
    """Table classes: subclasses of the declarative base, or SQLModel with `table=True`."""
    targets = {base} if base else set()
    models = {}
    for module, node, qualname in index.classes():
        if _keyword_true(node, "table") and index.inherits(qualname, SQLMODEL):
            models[qualname] = module.at(node)
            continue
        if not targets or not index.inherits(qualname, targets):
            continue
        abstract = _class_attr(node, "__abstract__")
        if isinstance(abstract, ast.Constant) and abstract.value is True:
            continue
        models[qualname] = module.at(node)
    return models


def sqlmodel_tables(index: CodeIndex) -> list[Candidate]:
    found = []
    for module, node, qualname in index.classes():
        if _keyword_true(node, "table") and index.inherits(qualname, SQLMODEL):
            note = f"class {node.name}(..., table=True)"
            found.append(Candidate(symbol(qualname, index), [module.at(node)], note=note))
    return found


# Calls that make a class attribute a column without an annotation (`email = Column(...)`,
# the declarative style before SQLAlchemy 2's `Mapped[...]`).
_COLUMN_CALLS = frozenset({"Column", "mapped_column"})


def field_names(node: ast.ClassDef) -> list[str]:
    names = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            names.append(statement.target.id)
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and _called_name(statement.value.func) in _COLUMN_CALLS
        ):
            names.append(statement.targets[0].id)
    return names


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def find_user_models(index: CodeIndex, models: dict[str, Where]) -> list[Candidate]:
    """The account model: the table that stores a password hash."""
    found = []
    for qualname, where in models.items():
        columns = _all_fields(index, qualname)
        password = [c for c in columns if "password" in c.lower()]
        if password:
            found.append(Candidate(symbol(qualname, index), [where], note=f"stores {password[0]}"))
    return found


def _all_fields(index: CodeIndex, qualname: str, _seen: set[str] | None = None) -> list[str]:
    """Fields of a class and its in-project bases (mixins included)."""
    seen = _seen if _seen is not None else set()
    located = index.class_def(qualname)
    if located is None or qualname in seen:
        return []
    seen.add(qualname)
    names = field_names(located[1])
    for base in index.bases(qualname):
        names += _all_fields(index, base, seen)
    return names


# --- dependencies --------------------------------------------------------------------


@dataclass
class Alias:
    """`Name = Annotated[T, Depends(provider)]` at module level."""

    module: Module
    name: str
    kind: ast.expr
    provider: str
    line: int

    @property
    def qualname(self) -> str:
        return f"{self.module.name}.{self.name}"


def dependency_aliases(index: CodeIndex) -> list[Alias]:
    found = []
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            dependency = _annotated_dependency(index, module, value)
            if dependency:
                kind, provider = dependency
                found.append(Alias(module, name, kind, provider, module.assign_lines[name]))
    return found


def _session_io(names: set[str]) -> str | None:
    if names & ASYNC_SESSIONS:
        return "async"
    if names & SYNC_SESSIONS:
        return "sync"
    return None


def find_session_dependencies(index: CodeIndex) -> tuple[list[Candidate], list[Candidate]]:
    """Typed aliases of the session (`SessionDep`), and the generators that provide one."""
    aliases = []
    for alias in dependency_aliases(index):
        io = _session_io(_names_in(index, alias.module, alias.kind))
        if io:
            where = [Where(alias.module.file, alias.line)]
            extra = {"io": io, "provider": symbol(alias.provider, index)}
            note = f"Annotated[..., Depends({alias.provider.rpartition('.')[2]})]"
            aliases.append(Candidate(symbol(alias.qualname, index), where, note=note, extra=extra))
    providers = []
    for module in index.of_kind("app"):
        for name, function in module.functions.items():
            # A context manager (`@asynccontextmanager`, for scripts) is no dependency.
            if not _is_generator(function) or _is_context_manager(index, module, function):
                continue
            io = _session_io(_names_in(index, module, function.returns))
            if io is None and function.returns is None:
                io = _yielded_session_io(index, module, function)
            if io:
                qualname = f"{module.name}.{name}"
                extra = {"io": io}
                providers.append(
                    Candidate(symbol(qualname, index), [module.at(function)], extra=extra)
                )
    return aliases, providers


SESSION_FACTORIES = {
    "sqlalchemy.orm.sessionmaker": "sync",
    "sqlalchemy.orm.session.sessionmaker": "sync",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "async",
    "sqlalchemy.ext.asyncio.session.async_sessionmaker": "async",
}


def _yielded_session_io(
    index: CodeIndex, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> str | None:
    """For an unannotated generator (`def get_db(): db = SessionLocal(); ... yield db`):
    whether what it yields is made by a session factory (`SessionLocal = sessionmaker(...)`),
    async or sync; None if it yields anything else."""
    made: dict[str, ast.expr] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Call):
                made[target.id] = node.value.func
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                variable = item.optional_vars
                if isinstance(variable, ast.Name) and isinstance(item.context_expr, ast.Call):
                    made[variable.id] = item.context_expr.func
    for node in ast.walk(function):
        if not (isinstance(node, ast.Yield) and isinstance(node.value, ast.Name)):
            continue
        factory = made.get(node.value.id)
        qualname = index.resolve(module, factory) if factory is not None else None
        found = index.split(qualname) if qualname else None
        if found is None:
            continue
        owner, name = found
        value = owner.assigns.get(name)
        if isinstance(value, ast.Call):
            kind = SESSION_FACTORIES.get(index.resolve(owner, value.func) or "")
            if kind:
                return kind
    return None


CONTEXT_MANAGERS = {"contextlib.contextmanager", "contextlib.asynccontextmanager"}


def _is_context_manager(
    index: CodeIndex, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> bool:
    return any(index.resolve(module, d) in CONTEXT_MANAGERS for d in function.decorator_list)


def find_imports(index: CodeIndex, packages: set[str]) -> dict[str, Where]:
    """The first import of each of these top-level packages in the application code."""
    found: dict[str, Where] = {}
    for module in index.of_kind("app"):
        for node in ast.walk(module.tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            for name in names:
                top = name.partition(".")[0]
                if top in packages:
                    found.setdefault(top, module.at(node))
    return found


def find_engines(index: CodeIndex) -> list[Candidate]:
    found = []
    for module in index.of_kind("app"):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call):
                callee = index.resolve(module, node.func)
                if callee in ASYNC_ENGINES:
                    found.append(Candidate("async", [module.at(node)], note="create_async_engine"))
                elif callee in SYNC_ENGINES:
                    found.append(Candidate("sync", [module.at(node)], note="create_engine"))
    return found


def find_current_user(index: CodeIndex, user_model: str | None) -> list[Candidate]:
    """`CurrentUser = Annotated[User, Depends(get_current_user)]`, or the function itself.

    Derived dependencies (an admin check that takes the current user) are left out: the
    candidate is the root of the chain.
    """
    if user_model is None:
        return []
    aliases = [
        a
        for a in dependency_aliases(index)
        if not _is_optional(a.kind) and index.resolve(a.module, a.kind) == user_model
    ]
    alias_names = {a.qualname for a in aliases}

    def derived(provider: str) -> bool:
        found = index.split(provider)
        if found is None or found[1] not in found[0].functions:
            return False
        function = found[0].functions[found[1]]
        arguments = [*function.args.args, *function.args.kwonlyargs]
        return any(_names_in(index, found[0], a.annotation) & alias_names for a in arguments)

    model_name = user_model.rpartition(".")[2]
    candidates = [
        Candidate(
            symbol(a.qualname, index),
            [Where(a.module.file, a.line)],
            note=f"Annotated[{model_name}, Depends({a.provider.rpartition('.')[2]})]",
            extra={"provider": symbol(a.provider, index)},
        )
        for a in aliases
        if not derived(a.provider)
    ]
    if candidates:
        return candidates
    # No alias: a function that returns the user and takes dependencies. A route handler
    # is an endpoint, not a dependency, and a check that depends on another candidate
    # (`get_current_active_user`) derives from it: the root of the chain is the one.
    # A function says it returns the user by its annotation, or by being what a parameter
    # typed as the user depends on (`current_user: User = Depends(get_current_user)`).
    providing = _user_providers(index, user_model)
    functions = {
        f"{module.name}.{name}": (module, function)
        for module in index.of_kind("app")
        for name, function in module.functions.items()
        if (
            index.resolve(module, function.returns) == user_model
            or f"{module.name}.{name}" in providing
        )
        and not _is_route_handler(function)
        and _depends_on_params(index, module, function)
    }
    for qualname, (module, function) in functions.items():
        if _depended_on(index, module, function) & (functions.keys() - {qualname}):
            continue
        value = symbol(qualname, index)
        candidates.append(Candidate(value, [module.at(function)], extra={"provider": value}))
    return candidates


# The decorators that make a function an endpoint of a router or an app.
ROUTE_DECORATORS = frozenset(
    [
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "options",
        "trace",
        "api_route",
        "route",
        "websocket",
    ]
)


def _is_route_handler(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`@router.get(...)`, `@app.post(...)`, `@api.api_route(...)`: an endpoint."""
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in ROUTE_DECORATORS:
            return True
    return False


def _user_providers(index: CodeIndex, user_model: str) -> set[str]:
    """Functions some parameter typed as the user model takes through `Depends(f)`."""
    found: set[str] = set()
    for module in index.of_kind("app"):
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            arguments = node.args
            positional = [*arguments.posonlyargs, *arguments.args]
            pairs = list(
                zip(
                    positional[len(positional) - len(arguments.defaults) :],
                    arguments.defaults,
                    strict=True,
                )
            )
            pairs += [
                (a, d)
                for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                if d is not None
            ]
            for argument, default in pairs:
                if (
                    isinstance(default, ast.Call)
                    and index.resolve(module, default.func) in DEPENDS
                    and default.args
                    and index.resolve(module, argument.annotation) == user_model
                ):
                    provider = index.resolve(module, default.args[0])
                    if provider:
                        found.add(provider)
    return found


def _depended_on(
    index: CodeIndex, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef
) -> set[str]:
    """The functions a function's parameters name in `Depends(f)`."""
    arguments = function.args
    calls: list[ast.AST | None] = [*arguments.defaults, *arguments.kw_defaults]
    for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        if argument.annotation is not None:
            calls += list(ast.walk(argument.annotation))
    found = set()
    for node in calls:
        if isinstance(node, ast.Call) and index.resolve(module, node.func) in DEPENDS:
            target = node.args[0] if node.args else None
            resolved = index.resolve(module, target) if target is not None else None
            if resolved:
                found.add(resolved)
    return found


def find_settings(index: CodeIndex) -> list[Candidate]:
    """The settings object (`settings = Settings()`) or its accessor (`get_settings()`)."""
    classes = {q for _, _, q in index.classes() if index.inherits(q, BASE_SETTINGS)}
    found = []
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            if isinstance(value, ast.Call) and index.resolve(module, value.func) in classes:
                where = [Where(module.file, module.assign_lines[name])]
                note = f"{name} = {index.resolve(module, value.func)}()"
                extra = {"kind": "object"}
                found.append(Candidate(f"{module.name}:{name}", where, note=note, extra=extra))
        for name, function in module.functions.items():
            if index.resolve(module, function.returns) in classes:
                note = f"{name}() returns {index.resolve(module, function.returns)}"
                where = [module.at(function)]
                extra = {"kind": "accessor"}
                found.append(Candidate(f"{module.name}:{name}", where, note=note, extra=extra))
    # `settings = get_settings()` and `get_settings()` are one object: keep the object.
    objects = [c for c in found if c.extra["kind"] == "object"]
    return objects or found


def find_database_urls(index: CodeIndex) -> list[Candidate]:
    """Database URLs written in the application code (settings defaults)."""
    found = []
    for module in index.of_kind("app"):
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = URL_PATTERN.match(node.value)
                if match and ("://" in node.value or match["driver"]):
                    driver = match["driver"] or DEFAULT_DRIVERS[match["dialect"]]
                    found.append(Candidate(driver, [module.at(node)], note=node.value))
    return found


# --- routers --------------------------------------------------------------------------


@dataclass
class Router:
    """A module-level `APIRouter()`, and whether routes are declared on it."""

    module: Module
    name: str
    call: ast.Call
    routes: int

    @property
    def qualname(self) -> str:
        return f"{self.module.name}.{self.name}"


@dataclass
class Include:
    module: Module
    scope: str
    receiver: str
    router: str | None
    call: ast.Call


def find_routers(index: CodeIndex) -> list[Router]:
    found = []
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            if isinstance(value, ast.Call) and index.resolve(module, value.func) in API_ROUTER:
                routes = 0
                for function in module.functions.values():
                    for decorator in function.decorator_list:
                        target = decorator.func if isinstance(decorator, ast.Call) else decorator
                        if (
                            isinstance(target, ast.Attribute)
                            and target.attr in ROUTE_METHODS
                            and dotted(target.value) == name
                        ):
                            routes += 1
                found.append(Router(module, name, value, routes))
    return found


def find_includes(index: CodeIndex) -> list[Include]:
    found = []
    for module in index.of_kind("app"):
        for node, scope in walk_scoped(module.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "include_router"
                and node.args
            ):
                receiver = dotted(node.func.value) or "?"
                router = index.resolve(module, node.args[0])
                found.append(Include(module, scope, receiver, router, node))
    return found


def find_router_registries(
    index: CodeIndex, routers: list[Router], includes: list[Include]
) -> list[Candidate]:
    """Where feature routers are included: the app itself, or an aggregating APIRouter."""
    leaves = {r.qualname for r in routers if r.routes}
    groups: dict[str, list[Include]] = {}
    for include in includes:
        if include.router in leaves:
            groups.setdefault(_include_place(include), []).append(include)
    candidates = []
    mounted_at: dict[str, Include] = {}
    for value, members in groups.items():
        where = [m.module.at(m.call) for m in members]
        names = ", ".join(_router_label(m.router) for m in members if m.router)
        note = f"include_router for {names}"
        qualname = value.replace(":", ".")
        mounts = [i for i in includes if i.router == qualname]
        if mounts:
            mounted_at[value] = mount = mounts[0]
            note += f"; mounted at {mount.module.at(mount.call)}"
        candidates.append(Candidate(value, where, note=note))
    return _settle_registries(candidates, mounted_at)


def _include_place(include: Include) -> str:
    """`module:receiver` of an include_router call, or `module:function` where the
    receiver is local to the function that makes the includes (an app factory)."""
    local = include.scope and include.receiver in _local_names(include.module, include.scope)
    place = include.scope if local else include.receiver
    return f"{include.module.name}:{place}"


def _settle_registries(
    candidates: list[Candidate], mounted_at: dict[str, Include]
) -> list[Candidate]:
    """Decide between several aggregating routers as a reader of the code would.

    The one that includes the most routers is where resource routers go (an `api_router`
    beside an `auth_router`). Where they tie and all are mounted in one place (one
    aggregator per module, as hexagonal projects keep them), that place is the registry:
    a new feature's router is mounted beside the others.
    """
    if len(candidates) < 2:
        return candidates
    most = max(len(c.where) for c in candidates)
    top = [c for c in candidates if len(c.where) == most]
    if len(top) == 1 and most > 1:
        chosen = top[0]
        others = ", ".join(c.value for c in candidates if c is not chosen)
        note = f"{chosen.note}; chosen over {others}: it includes the most routers"
        return [Candidate(chosen.value, chosen.where, note=note)]
    places = {_include_place(m) for m in mounted_at.values()}
    if len(mounted_at) == len(candidates) and len(places) == 1:
        where = sorted(
            (m.module.at(m.call) for m in mounted_at.values()), key=lambda w: (w.file, w.line)
        )
        mounted = ", ".join(c.value for c in candidates)
        note = f"each module's router is mounted here ({mounted})"
        return [Candidate(places.pop(), where, note=note)]
    return candidates


def _local_names(module: Module, scope: str) -> set[str]:
    """Parameters and assigned names of a top-level function."""
    function = module.functions.get(scope)
    if function is None:
        return set()
    arguments = function.args
    names = {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _router_label(qualname: str) -> str:
    """`items` for app.api.routes.items.router, `auth.router` for app.auth.router.router."""
    parts = qualname.split(".")[:-1]
    if len(parts) > 1 and parts[-1] in DOMAIN_ROUTER_STEMS:
        return ".".join(parts[-2:])
    return parts[-1] if parts else qualname


def router_prefix_style(routers: list[Router], includes: list[Include]) -> Candidate | None:
    """Where route prefixes are set: on the APIRouter, in include_router, or on each route.

    Routers may differ (an auth router with a prefix, feature routers without): the most
    common style wins, and between equally common ones, the style of the router with the
    most routes, as that is the one a new feature resembles.
    """
    leaves = [r for r in routers if r.routes]
    if not leaves:
        return None
    styles: dict[str, list[tuple[Router, Where]]] = {}
    for router in leaves:
        include = next((i for i in includes if i.router == router.qualname), None)
        if _keyword(router.call, "prefix") is not None:
            styles.setdefault("router", []).append((router, router.module.at(router.call)))
        elif include is not None and _keyword(include.call, "prefix") is not None:
            where = include.module.at(include.call)
            styles.setdefault("include_router", []).append((router, where))
        else:
            styles.setdefault("route", []).append((router, router.module.at(router.call)))
    style = max(styles, key=lambda s: (len(styles[s]), max(r.routes for r, _ in styles[s])))
    notes = {
        "router": "APIRouter(prefix=...)",
        "include_router": "include_router(..., prefix=...)",
        "route": "no prefix: each route has its full path",
    }
    note = f"{notes[style]}; {len(styles[style])} of {len(leaves)} routers"
    return Candidate(style, [w for _, w in styles[style]], note=note)


@dataclass
class Layout:
    """Where each kind of code lives, as found in the application package."""

    package_dir: PurePosixPath
    domain_routers: list[Router]
    layer_routers: list[Router]
    features: dict[str, PurePosixPath]  # feature packages of a domain-first layout

    def candidates(self, models: dict[str, Where]) -> list[Candidate]:
        found = []
        if self.features:
            where = [r.module.at(r.call) for r in self.domain_routers]
            names = ", ".join(f"{p}/" for p in self.features.values())
            found.append(Candidate("domain", where, note=f"feature packages {names}"))
        shared_models = [
            w for q, w in models.items() if not self._in_feature(PurePosixPath(w.file))
        ]
        if self.layer_routers and (shared_models or not self.features):
            folders = sorted({f"{r.module.path.parent}/" for r in self.layer_routers})
            where = [r.module.at(r.call) for r in self.layer_routers]
            note = f"resource routers in {', '.join(folders)}"
            if shared_models:
                note += f", models in {shared_models[0].file}"
            found.append(Candidate("layer", where, note=note))
        return found

    def _in_feature(self, path: PurePosixPath) -> bool:
        return any(path.is_relative_to(p) for p in self.features.values())


def find_layout(index: CodeIndex, package_dir: PurePosixPath, routers: list[Router]) -> Layout:
    domain, layer = [], []
    features: dict[str, PurePosixPath] = {}
    for router in routers:
        if not router.routes:
            continue
        path = router.module.path
        if path.name == "__init__.py":
            path = path.parent
        parent = path.parent
        inside = parent != package_dir and parent.is_relative_to(package_dir)
        if path.stem in DOMAIN_ROUTER_STEMS and inside:
            siblings = {p.name for p in _files_in(index, parent)}
            if siblings & {"models.py", "schemas.py", "service.py", "services.py", "crud.py"}:
                domain.append(router)
                features[parent.name] = parent
                continue
        if path.stem not in DOMAIN_ROUTER_STEMS or not inside:
            layer.append(router)
    return Layout(package_dir, domain, layer, features)


def _files_in(index: CodeIndex, directory: PurePosixPath) -> list[PurePosixPath]:
    return [m.path for m in index.of_kind("app") if m.path.parent == directory]


def _pattern_for_folder(index: CodeIndex, folder: PurePosixPath) -> str:
    """`folder/{feature}.py`, keeping a suffix every module shares (`user_service.py`)."""
    stems = [
        p.stem
        for p in _files_in(index, folder)
        if p.stem not in {"__init__", "base", "common", "deps", "utils", "dependencies"}
    ]
    suffixes = {s.rpartition("_")[2] for s in stems if "_" in s}
    if stems and len(suffixes) == 1 and all("_" in s for s in stems):
        suffix = suffixes.pop()
        return f"{folder}/{{feature}}_{suffix}.py"
    return f"{folder}/{{feature}}.py"


def _schema_classes(index: CodeIndex, models: dict[str, Where]) -> dict[str, Where]:
    settings = {q for _, _, q in index.classes() if index.inherits(q, BASE_SETTINGS)}
    found = {}
    for module, node, qualname in index.classes():
        if qualname in models or qualname in settings:
            continue
        if index.inherits(qualname, PYDANTIC_MODELS):
            found[qualname] = module.at(node)
    return found


def layer_paths(
    index: CodeIndex, layout: Layout, models: dict[str, Where], test_files: list[PurePosixPath]
) -> dict[str, Candidate]:
    """Where each layer of a new feature goes in a layer-first project."""
    paths: dict[str, Candidate] = {}
    model_files = Counter(w.file for w in models.values())
    if model_files:
        paths["models"] = _layer_from_files(index, model_files, models.values(), "models")
    schema_wheres = _schema_classes(index, models)
    schema_files = Counter(w.file for w in schema_wheres.values())
    if schema_files:
        in_schema_folder = Counter(
            {f: n for f, n in schema_files.items() if "schemas" in PurePosixPath(f).parts[:-1]}
        )
        candidates = in_schema_folder or schema_files
        # A resource's schemas are where modules are named after the resources (the model
        # modules' names), not in a folder of odds and ends (`schemas/extras/token.py`).
        resources = {PurePosixPath(f).stem for f in model_files}
        resources |= {f"{name}s" for name in resources}
        named = Counter({f: n for f, n in candidates.items() if PurePosixPath(f).stem in resources})
        paths["schemas"] = _layer_from_files(
            index, named or candidates, schema_wheres.values(), "schemas"
        )
    services = [
        m
        for m in index.of_kind("app")
        if m.path.stem in SERVICE_NAMES or set(m.path.parts[:-1]) & SERVICE_NAMES
    ]
    if services:
        counts = Counter(m.file for m in services if m.path.name != "__init__.py")
        examples = [Where(m.file, 1) for m in services if m.path.name != "__init__.py"]
        paths["service"] = _layer_from_files(index, counts, examples, "service")
    if layout.layer_routers:
        pattern, chosen = _module_pattern([r.module.path for r in layout.layer_routers])
        where = [r.module.at(r.call) for r in layout.layer_routers if r.module.path in chosen]
        folder = pattern.partition("{feature}")[0]
        shape = "a package per resource" if pattern.count("{feature}") == 2 else "modules"
        paths["router"] = Candidate(pattern, where, note=f"resource routers: {shape} in {folder}")
        tests = _tests_by_router_name(layout.layer_routers, test_files)
        if tests:
            test_pattern, chosen_tests = _module_pattern(tests, prefix="test_")
            paths["tests"] = Candidate(
                test_pattern,
                [Where(str(p), 1) for p in chosen_tests],
                note="a test module per router module",
            )
    return paths


def _module_pattern(
    paths: list[PurePosixPath], prefix: str = ""
) -> tuple[str, list[PurePosixPath]]:
    """Where a new feature's module of a layer goes, from where the layer's modules are:
    `folder/{feature}.py` beside them, or `folder/{feature}/{feature}.py` where each sits in
    a package named after it (`api/v1/tasks/tasks.py`). The shape most of them have wins;
    `prefix` is a test module's `test_`."""
    shapes: dict[str, list[PurePosixPath]] = {}
    for path in paths:
        package = path.parent
        if path.stem == f"{prefix}{package.name}" and package.parent != package:
            pattern = f"{package.parent}/{{feature}}/{prefix}{{feature}}.py"
        else:
            pattern = f"{package}/{prefix}{{feature}}.py"
        shapes.setdefault(pattern, []).append(path)
    best = max(shapes, key=lambda shape: len(shapes[shape]))  # the first, on a tie
    return best, shapes[best]


def _layer_from_files(
    index: CodeIndex, files: Counter[str], wheres: Iterable[Where], layer: str
) -> Candidate:
    """One module holds the layer (`app/models.py`), or a folder of modules does.

    `files` counts the classes (or modules) of the layer per file; the folder with most
    of them is where the layer lives.
    """
    folders = Counter(PurePosixPath(f).parent for f in files.elements())
    folder, _ = folders.most_common(1)[0]
    modules_there = [f for f in files if PurePosixPath(f).parent == folder]
    evidence = [w for w in wheres if PurePosixPath(w.file).parent == folder][:3]
    single = PurePosixPath(modules_there[0]) if len(modules_there) == 1 else None
    if single and single.name != "__init__.py" and folder.name not in LAYER_FOLDERS:
        count = files[str(single)]
        note = {
            "models": f"{count} table{'s' if count != 1 else ''} in one module",
            "schemas": f"{count} schema class{'es' if count != 1 else ''} in one module",
        }.get(layer, "one module for every feature")
        return Candidate(str(single), [w for w in evidence if w.file == str(single)][:1], note)
    pattern = _pattern_for_folder(index, folder)
    return Candidate(pattern, evidence, note=f"a module per feature in {folder}/")


def _tests_by_router_name(
    routers: list[Router], test_files: list[PurePosixPath]
) -> list[PurePosixPath]:
    names = {f"test_{r.module.path.stem}.py" for r in routers}
    return [p for p in test_files if p.name in names]


def domain_paths(
    index: CodeIndex,
    layout: Layout,
    models: dict[str, Where],
    tests_dir: PurePosixPath,
    test_files: list[PurePosixPath],
) -> dict[str, Candidate]:
    """Where each layer of a new feature goes in a domain-first project."""
    features = layout.features
    # Feature packages sit in the package (app/<feature>/) or a folder of it (app/modules/).
    parents = Counter(f.parent for f in features.values()).most_common(1)
    package = parents[0][0] if parents else layout.package_dir
    # The first class of each file, so the evidence points at code rather than line 1.
    schema_files: dict[str, Where] = {}
    for where in _schema_classes(index, models).values():
        schema_files.setdefault(where.file, where)
    model_files: dict[str, Where] = {}
    for where in models.values():
        model_files.setdefault(where.file, where)
    roles: dict[str, Counter[str]] = {
        r: Counter() for r in ("models", "schemas", "service", "router")
    }
    examples: dict[str, list[Where]] = {r: [] for r in roles}
    for folder in features.values():
        for path in _files_in(index, folder):
            role, where = None, Where(str(path), 1)
            if str(path) in model_files:
                role, where = "models", model_files[str(path)]
            elif path.stem in SERVICE_NAMES:
                role = "service"
            elif str(path) in schema_files and path.stem not in {"dependencies", "config"}:
                role, where = "schemas", schema_files[str(path)]
            if role:
                roles[role][path.name] += 1
                examples[role].append(where)
    for router in layout.domain_routers:
        roles["router"][router.module.path.name] += 1
        examples["router"].append(router.module.at(router.call))
    defaults = {
        "models": "models.py",
        "schemas": "schemas.py",
        "service": "service.py",
        "router": "router.py",
    }
    paths = {}
    for role, counts in roles.items():
        if counts:
            # Ties go to the usual name: `schemas.py` over a `jwt.py` with one model in it.
            best = counts.most_common(1)[0][1]
            tied = [n for n, count in counts.items() if count == best]
            name = defaults[role] if defaults[role] in tied else tied[0]
            shown = [w for w in examples[role] if PurePosixPath(w.file).name == name][:3]
            note = f"{counts[name]} of {len(features)} feature packages"
            paths[role] = Candidate(f"{package}/{{feature}}/{name}", shown, note=note)
        else:
            paths[role] = Candidate(
                f"{package}/{{feature}}/{defaults[role]}",
                [],
                note="no feature has one; the usual name",
            )
    paths["tests"] = _domain_tests(features, tests_dir, test_files)
    return paths


def _domain_tests(
    features: dict[str, PurePosixPath], tests_dir: PurePosixPath, test_files: list[PurePosixPath]
) -> Candidate:
    # A feature's tests sit in a folder of the tests (tests/<feature>/), or inside the
    # feature package itself (app/<feature>/tests/, when testpaths names the package).
    for pattern, folders in (
        ("{tests}/{{feature}}", {name: tests_dir / name for name in features}),
        ("{package}/{{feature}}/tests", {name: f / "tests" for name, f in features.items()}),
    ):
        having = {n: [p for p in test_files if p.parent == f] for n, f in folders.items()}
        having = {n: files for n, files in having.items() if files}
        if not having:
            continue
        common = set.intersection(*({p.name for p in files} for files in having.values()))
        name = sorted(common)[0] if common and len(having) > 1 else "test_{feature}.py"
        where = [Where(str(files[0]), 1) for files in having.values()]
        shown = ", ".join(f"{folders[n]}/" for n in having)
        parent = next(iter(features.values())).parent
        place = pattern.format(tests=tests_dir, package=parent)
        return Candidate(f"{place}/{name}", where, note=f"a test folder per feature ({shown})")
    matching = [p for p in test_files if p.name in {f"test_{n}.py" for n in features}]
    if matching:
        folder = Counter(p.parent for p in matching).most_common(1)[0][0]
        where = [Where(str(p), 1) for p in matching]
        return Candidate(f"{folder}/test_{{feature}}.py", where, note="a test module per feature")
    return Candidate(
        f"{tests_dir}/{{feature}}/test_{{feature}}.py", [], note="no feature has tests yet"
    )


# --- style ----------------------------------------------------------------------------


def _get_routes(
    index: CodeIndex, routers: list[Router]
) -> Iterator[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]:
    names = {(r.module.name, r.name) for r in routers}
    for module in index.of_kind("app"):
        for function in module.functions.values():
            for decorator in function.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr == "get"
                    and (module.name, dotted(target.value)) in names
                ):
                    yield module, function


def find_pagination(
    index: CodeIndex, routers: list[Router], models: dict[str, Where]
) -> list[Candidate]:
    """Page models (a list plus count/total/cursor/page fields) and the list parameters."""
    pages: list[tuple[str, ast.ClassDef, Module, list[str]]] = []
    for module, node, qualname in index.classes():
        if qualname in models or not index.inherits(qualname, PYDANTIC_MODELS):
            continue
        fields = {}
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                fields[statement.target.id] = statement.annotation
        lists = [
            n
            for n, a in fields.items()
            if isinstance(a, ast.Subscript)
            and (dotted(a.value) or "").rpartition(".")[2] in {"list", "List", "Sequence"}
        ]
        if lists and set(fields) & PAGE_MARKERS:
            pages.append((qualname, node, module, list(fields)))
    params = _list_params(index, routers)
    by_kind: dict[str, list[tuple[str, ast.ClassDef, Module, list[str]]]] = {}
    for page in pages:
        names = set(page[3])
        kind = "keyset" if names & KEYSET_MARKERS else "page" if "page" in names else "offset"
        by_kind.setdefault(kind, []).append(page)
    candidates = []
    for kind, members in by_kind.items():
        # A generic page (`Page[T]`) is the one new code reuses; else the first one found.
        generic = [m for m in members if any(isinstance(b, ast.Subscript) for b in m[1].bases)]
        qualname, node, _, page_fields = (generic or members)[0]
        kind_params = [(p, w) for p, w in params if _param_fits(p, kind)]
        extra = {
            "shape": "{" + ", ".join(page_fields) + "}",
            "params": ", ".join(p for p, _ in kind_params),
            "params_evidence": format_evidence(w for _, w in kind_params),
            "model": symbol(qualname, index),
        }
        where = [m.at(n) for _, n, m, _ in members[:3]]
        note = f"{extra['shape']} in {node.name}"
        candidates.append(Candidate(kind, where, note=note, extra=extra))
    return candidates


def _param_fits(name: str, kind: str) -> bool:
    return {
        "keyset": name in {"limit", "cursor", "size", "page_size"},
        "page": name in {"page", "size", "per_page", "page_size", "limit"},
        "offset": name in {"skip", "offset", "limit"},
    }[kind]


def _list_params(index: CodeIndex, routers: list[Router]) -> list[tuple[str, Where]]:
    """Paging parameters of GET routes: in the signature, or fields of a query model."""
    seen: dict[str, Where] = {}
    for module, function in _get_routes(index, routers):
        for argument in [*function.args.args, *function.args.kwonlyargs]:
            if argument.arg in PAGE_PARAMS:
                seen.setdefault(argument.arg, module.at(argument))
            annotation = argument.annotation
            if isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple):
                annotation = annotation.slice.elts[0]
            qualname = index.resolve(module, annotation)
            if qualname and index.class_def(qualname):
                for name in _all_fields(index, qualname):
                    if name in PAGE_PARAMS:
                        seen.setdefault(name, module.at(argument))
    return sorted(seen.items(), key=lambda item: PAGE_PARAMS.index(item[0]))


def find_error_style(index: CodeIndex) -> list[Candidate]:
    """Exception handlers (problem+json or plain JSON) or HTTPException raised in routes."""
    handlers: list[tuple[Module, ast.AST, str]] = []
    for module in index.of_kind("app"):
        for node in ast.walk(module.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"add_exception_handler", "exception_handler"}
                and node.args
            ):
                handled = index.resolve(module, node.args[0])
                if handled:
                    handlers.append((module, node, handled))
    project_errors = [h for h in handlers if index.class_def(h[2])]
    problem_modules = {
        m.name
        for m in index.of_kind("app")
        if any(isinstance(n, ast.Constant) and n.value == PROBLEM_JSON for n in ast.walk(m.tree))
    }
    candidates = []
    roots = [h for h in project_errors if not index.inherits(h[2], {p[2] for p in project_errors})]
    base = symbol(roots[0][2], index) if roots else ""
    # The constant sits where handlers are registered, or where the handler functions are.
    handler_modules = {m.name for m, _, _ in handlers} | _handler_modules(index, handlers)
    if handler_modules & problem_modules:
        where = [m.at(n) for m, n, _ in handlers]
        note = f"handlers answer {PROBLEM_JSON}"
        candidates.append(Candidate("problem_json", where, note=note, extra={"base": base}))
    elif project_errors:
        where = [m.at(n) for m, n, _ in project_errors]
        note = f"handler for {base.partition(':')[2]}"
        candidates.append(Candidate("domain_exceptions", where, note=note, extra={"base": base}))
    if not candidates:
        raises = []
        for module in index.of_kind("app"):
            for node in ast.walk(module.tree):
                if (
                    isinstance(node, ast.Call)
                    and index.resolve(module, node.func) in HTTP_EXCEPTIONS
                ):
                    raises.append(module.at(node))
        if raises:
            note = f"HTTPException(status_code, detail) at {len(raises)} places"
            extra = {"base": "fastapi:HTTPException"}
            candidates.append(Candidate("http_exception", raises[:3], note=note, extra=extra))
    return candidates


def _handler_modules(index: CodeIndex, handlers: list[tuple[Module, ast.AST, str]]) -> set[str]:
    """Modules defining the handler functions named in add_exception_handler calls."""
    modules = set()
    for module, node, _ in handlers:
        if isinstance(node, ast.Call) and len(node.args) > 1:
            handler = index.resolve(module, node.args[1])
            found = index.split(handler) if handler else None
            if found:
                modules.add(found[0].name)
    return modules


# --- tests ----------------------------------------------------------------------------


@dataclass
class Fixture:
    module: Module
    function: ast.FunctionDef | ast.AsyncFunctionDef

    @property
    def name(self) -> str:
        return self.function.name

    @property
    def where(self) -> Where:
        return self.module.at(self.function)


def find_fixtures(index: CodeIndex) -> list[Fixture]:
    found = []
    for module in index.of_kind("tests"):
        if module.path.name != "conftest.py":
            continue
        for function in module.functions.values():
            for decorator in function.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if index.resolve(module, target) in FIXTURE_DECORATORS:
                    found.append(Fixture(module, function))
    return found


def _calls(index: CodeIndex, module: Module, node: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            name = index.resolve(module, child.func)
            if name:
                yield name, child


def classify_fixtures(
    index: CodeIndex, fixtures: list[Fixture], user_model: str | None
) -> dict[str, list[Candidate]]:
    """The fixtures a new test uses: the HTTP client, the database session, signed-in users."""
    clients, sessions, users = [], [], []
    setups = []
    for fixture in fixtures:
        module, function = fixture.module, fixture.function
        returns = _names_in(index, module, function.returns)
        made = {name for name, _ in _calls(index, module, function)}
        kinds = [TEST_CLIENTS[n] for n in made if n in TEST_CLIENTS]
        if kinds:
            clients.append(
                Candidate(fixture.name, [fixture.where], note=kinds[0], extra={"kind": kinds[0]})
            )
            continue
        io = _session_io(returns)
        if io:
            sessions.append(Candidate(fixture.name, [fixture.where], note=f"{io} session"))
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Attribute):
                continue
            if index.resolve(module, node) == "alembic.command.upgrade":
                setups.append(Candidate("alembic upgrade", [module.at(node)]))
            elif node.attr == "create_all":
                setups.append(Candidate("metadata.create_all", [module.at(node)]))
    names = {f.name: f for f in fixtures}
    authenticated: set[str] = set()
    for fixture in fixtures:
        calls = {
            n.rpartition(".")[2].lower()
            for n in (name for name, _ in _calls(index, fixture.module, fixture.function))
        }
        returns = _names_in(index, fixture.module, fixture.function.returns)
        if any("token" in c for c in calls) or (user_model and user_model in returns):
            authenticated.add(fixture.name)
    changed = True
    while changed:  # a fixture that takes a signed-in user gives one too
        changed = False
        for fixture in fixtures:
            if fixture.name in authenticated or fixture.name in {c.value for c in clients}:
                continue
            params = {a.arg for a in fixture.function.args.args}
            if params & authenticated:
                authenticated.add(fixture.name)
                changed = True
    for name in (n for n in names if n in authenticated):
        users.append(Candidate(name, [names[name].where]))
    return {"clients": clients, "sessions": sessions, "users": users, "setup": setups}


def model_registry(index: CodeIndex, models: dict[str, Where]) -> Candidate | None:
    """Where a new feature's models must be imported for Alembic to see their tables."""
    envs = [m for m in index.of_kind("migrations") if m.path.name == "env.py"]
    if not envs:
        return None
    env = envs[0]
    model_modules = {q.rpartition(".")[0] for q in models}
    imported: dict[str, int] = {}
    for node in ast.walk(env.tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                module = target if target in index.modules else node.module
                if module in index.modules and index.modules[module].kind == "app":
                    imported.setdefault(module, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in index.modules and index.modules[alias.name].kind == "app":
                    imported.setdefault(alias.name, node.lineno)
    direct = [m for m in imported if m in model_modules]
    if len(direct) > 1:
        where = [Where(env.file, imported[m]) for m in direct]
        return Candidate(env.file, where, note="env.py imports each models module")
    for name, line in imported.items():
        hub = index.modules[name]
        reexported = {index.canonical(t) or t for t in hub.imports.values()}
        pulled = {q for q in models if q in reexported or q.rpartition(".")[0] in reexported}
        if name in model_modules or pulled:
            note = (
                "defines the tables"
                if name in model_modules and not pulled
                else "imports every model"
            )
            return Candidate(
                hub.file, [Where(env.file, line)], note=f"env.py imports it; it {note}"
            )
    return None


def test_files(root: Path, tests_dir: PurePosixPath) -> list[PurePosixPath]:
    folder = root / tests_dir
    if not folder.is_dir():
        return []
    return sorted(
        PurePosixPath(p.relative_to(root).as_posix())
        for p in folder.rglob("test_*.py")
        if "__pycache__" not in p.parts
    )
