"""How the team writes what generated code must match: the details beyond the wiring.

`detect.py` finds the project's pieces (its app, base, session, user model, routers);
this module reads, from the same parsed code, how the team shapes them: the user table and
its key, the administrator flag, the exception class for each HTTP status, whether the
page model is generic, whether the session commits, whether services are classes, how
tables and response schemas are named. Each answer is a `Candidate` with the lines that
show it, so the profiler records it as a fact with evidence that `[tool.backsmith]` can
override. Nothing here imports or runs the project's code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from backsmith.project.detect import Candidate, CodeIndex, Where

READ_SUFFIXES = ("Public", "Out", "Read", "Response")
SUPERUSER_FLAGS = ("is_superuser", "is_admin")
NONE = "none"  # the value of a fact whose answer is "the project has no such thing"


def class_constant(node: ast.ClassDef, names: Iterable[str]) -> tuple[object, int] | None:
    """The constant assigned to one of `names` in the class body, and its line."""
    wanted = set(names)
    for statement in node.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        for target in targets:
            named = isinstance(target, ast.Name) and target.id in wanted
            if named and isinstance(value, ast.Constant):
                return value.value, statement.lineno
    return None


def user_details(index: CodeIndex, user: str, sqlmodel: bool) -> dict[str, Candidate]:
    """`user_table`, `user_id_type` and `superuser_flag` of the user model `module:Name`.

    The class and its bases are read nearest first, so a mixin's `id: Mapped[uuid.UUID]`
    counts and the model's own `__tablename__` wins over a base's. A fact the code does
    not show is absent (the profiler then asks for an override).
    """
    module, _, name = user.partition(":")
    start = index.canonical(f"{module}.{name}") or f"{module}.{name}"
    found: dict[str, Candidate] = {}
    chain, seen = [start], set()
    while chain:
        current = chain.pop(0)
        if current in seen:
            continue
        seen.add(current)
        definition = index.class_def(current)
        if definition is None:
            continue
        owner, node = definition
        table = class_constant(node, ("__tablename__",))
        if "user_table" not in found and table and isinstance(table[0], str):
            found["user_table"] = Candidate(table[0], [Where(owner.file, table[1])])
        for statement, field, annotation in _typed_attributes(node):
            where = [owner.at(statement)]
            if field == "id" and "user_id_type" not in found:
                kind = "uuid" if "uuid" in annotation.lower() else "int"
                found["user_id_type"] = Candidate(kind, where, note=f"id: {annotation}")
            if (
                field in SUPERUSER_FLAGS
                and "bool" in annotation.lower()
                and "superuser_flag" not in found
            ):
                found["superuser_flag"] = Candidate(field, where)
        chain += index.bases(current)
    if "user_table" not in found and sqlmodel:
        # SQLModel names a table after its class, lower-cased; SQLAlchemy needs __tablename__.
        definition = index.class_def(start)
        where = [definition[0].at(definition[1])] if definition else []
        found["user_table"] = Candidate(name.lower(), where, note="SQLModel's default name")
    return found


def _typed_attributes(node: ast.ClassDef) -> list[tuple[ast.stmt, str, str]]:
    """(statement, name, type as written) of each attribute: `id: Mapped[int]`, or the
    declarative style before `Mapped`, `is_superuser = Column(Boolean, default=False)`."""
    found: list[tuple[ast.stmt, str, str]] = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            found.append((statement, statement.target.id, ast.unparse(statement.annotation)))
        elif (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and isinstance(statement.value, ast.Call)
            and ast.unparse(statement.value.func).rpartition(".")[2] in ("Column", "mapped_column")
            and statement.value.args
        ):
            kind = ast.unparse(statement.value.args[0])
            found.append((statement, statement.targets[0].id, kind))
    return found


def error_classes(index: CodeIndex, base: str) -> Candidate | None:
    """The project's exception class per HTTP status, as `404=module:Name, 409=...`.

    Only subclasses of the project's error base that declare a constant `status_code` (or
    `status`) count; the first class found for a status is the one services raise.
    """
    module, _, name = base.partition(":")
    base_qualname = index.canonical(f"{module}.{name}") or ""
    by_status: dict[int, str] = {}
    where: list[Where] = []
    for owner, node, qualname in index.classes():
        if not index.inherits(qualname, {base_qualname}):
            continue
        status = class_constant(node, ("status_code", "status"))
        if status and isinstance(status[0], int) and status[0] not in by_status:
            by_status[status[0]] = f"{owner.name}:{node.name}"
            where.append(Where(owner.file, status[1]))
    if not by_status:
        return None
    value = ", ".join(f"{status}={symbol}" for status, symbol in sorted(by_status.items()))
    return Candidate(value, where)


def parse_error_classes(value: str) -> dict[int, str]:
    """`404=app.errors:NotFound, 409=app.errors:Conflict` -> {404: "app.errors:NotFound", ...}."""
    found: dict[int, str] = {}
    for part in value.split(","):
        status, _, symbol = part.strip().partition("=")
        if status.strip().isdigit() and symbol.strip():
            found[int(status)] = symbol.strip()
    return found


def page_models(
    index: CodeIndex, model: str, params: tuple[str, ...]
) -> tuple[Candidate, Candidate | None]:
    """Whether the page model `module:Name` is generic (one for every entity's lists), and a
    model of the list's query parameters defined beside it, if one has exactly those fields."""
    module, _, name = model.partition(":")
    definition = index.class_def(f"{module}.{name}")
    generic = definition is not None and any(
        isinstance(b, ast.Subscript) or ast.unparse(b) == "Generic" for b in definition[1].bases
    )
    where = [definition[0].at(definition[1])] if definition else []
    note = (
        f"class {name}({', '.join(ast.unparse(b) for b in definition[1].bases)})"
        if definition
        else ""
    )
    generic_fact = Candidate("true" if generic else "false", where, note=note)
    owner = index.modules.get(module)
    if owner is None:
        return generic_fact, None
    for class_name, node in owner.classes.items():
        fields = {
            s.target.id
            for s in node.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        }
        if fields and fields == set(params[:2]):
            return generic_fact, Candidate(f"{module}:{class_name}", [owner.at(node)])
    return generic_fact, None


def session_commits(index: CodeIndex, provider: str) -> Candidate | None:
    """Whether the session provider `module:function` commits when the request ends."""
    module, _, name = provider.partition(":")
    owner = index.modules.get(module)
    function = owner.functions.get(name) if owner else None
    if owner is None or function is None:
        return None
    commits = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Attribute) and node.attr == "commit"
    ]
    if commits:
        return Candidate("true", [owner.at(commits[0])], note=f"{name}() commits")
    return Candidate("false", [owner.at(function)], note=f"{name}() never commits")


def service_providers(index: CodeIndex) -> Candidate | None:
    """The module of `XServiceDep = Annotated[XService, Depends(...)]`, where services are
    classes built per request from the session and the user (`XService(session, user)`)."""
    for module in index.of_kind("app"):
        for name, value in module.assigns.items():
            if not (name.endswith("ServiceDep") and isinstance(value, ast.Subscript)):
                continue
            if ast.unparse(value.value).rpartition(".")[2] != "Annotated":
                continue
            target = value.slice.elts[0] if isinstance(value.slice, ast.Tuple) else None
            service = index.resolve(module, target) if target is not None else None
            definition = index.class_def(service) if service else None
            init = next(
                (
                    n
                    for n in (definition[1].body if definition else [])
                    if isinstance(n, ast.FunctionDef) and n.name == "__init__"
                ),
                None,
            )
            if init is not None and [a.arg for a in init.args.args] == ["self", "session", "user"]:
                line = module.assign_lines.get(name, 1)
                return Candidate(module.name, [Where(module.file, line)], note=name)
    return None


def table_names(index: CodeIndex, user_table: str | None) -> Candidate:
    """`plural` or `singular`: how the project's `__tablename__`s are named, by majority."""
    tables: list[tuple[str, Where]] = []
    for owner, node, _qualname in index.classes():
        found = class_constant(node, ("__tablename__",))
        if found and isinstance(found[0], str):
            tables.append((found[0], Where(owner.file, found[1])))
    if not tables:
        # No __tablename__ anywhere: the user table is all there is to judge by.
        plural = bool(user_table and user_table.endswith("s"))
        note = f"the user table {user_table!r}" if user_table else ""
        return Candidate("plural" if plural else "singular", [], note=note)
    plural_count = sum(1 for name, _ in tables if name.endswith("s"))
    value = "plural" if plural_count * 2 > len(tables) else "singular"
    note = f"{plural_count} of {len(tables)} __tablename__s end in s"
    return Candidate(value, [where for _, where in tables[:3]], note=note)


def read_suffix(index: CodeIndex) -> Candidate:
    """The suffix the project's response schemas carry (`ItemPublic`, `ProjectOut`, ...)."""
    seen: dict[str, list[Where]] = {suffix: [] for suffix in READ_SUFFIXES}
    for owner, node, _qualname in index.classes():
        for suffix in READ_SUFFIXES:
            stem = node.name.removesuffix(suffix)
            if stem != node.name and stem and stem[0].isupper():
                seen[suffix].append(owner.at(node))
    best = max(READ_SUFFIXES, key=lambda suffix: len(seen[suffix]))
    if not seen[best]:
        return Candidate("Read", [], note="no response schema to follow; backsmith's own")
    return Candidate(best, seen[best][:3], note=f"{len(seen[best])} classes named *{best}")


ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
# Calls whose `responses=` documents the error statuses of many routes at once.
ROUTE_GROUPS = frozenset({"APIRouter", "FastAPI", "include_router"})


def error_statuses(index: CodeIndex, generated: Iterable[str] = ()) -> Candidate:
    """`documented` where the project's routes declare their error responses (a route's,
    a router's or the app's `responses=`), else `undocumented`: its OpenAPI lists success
    statuses only, and the gates do not hold its own routes to more. Files backsmith
    generated (`generated`, the manifest's paths) are not the team's evidence."""
    routes: list[Where] = []
    declared: list[Where] = []
    ours = set(generated)  # backsmith's own routers follow backsmith, not the team
    for module in index.of_kind("app"):
        if module.file in ours:
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    if (
                        isinstance(decorator, ast.Call)
                        and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr in ROUTE_METHODS
                    ):
                        routes.append(module.at(decorator))
                        if any(k.arg == "responses" for k in decorator.keywords):
                            declared.append(module.at(decorator))
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ROUTE_GROUPS and any(k.arg == "responses" for k in node.keywords):
                    declared.append(module.at(node))
    if declared or not routes:
        note = f"{len(declared)} routes or routers declare responses=" if declared else ""
        return Candidate("documented", declared[:3], note=note or "no routes to follow")
    return Candidate(
        "undocumented", routes[:3], note=f"none of {len(routes)} routes declares responses="
    )


_CREATED_TABLE = re.compile(r"""op\.create_table\(\s*["']([^"']+)["']""")


def existing_tables(
    index: CodeIndex, models: dict[str, Where], sqlmodel: bool, created_by_backsmith: set[str]
) -> Candidate:
    """`table=module:Class, ...`: the tables the project's models define, which a new
    entity may not take. A table of backsmith's own earlier migrations is a feature's,
    which implementing it again regenerates, so it is left out (`created_by_backsmith`)."""
    found: list[tuple[str, str, Where]] = []
    for owner, node, qualname in index.classes():
        if qualname not in models:
            continue
        constant = class_constant(node, ("__tablename__",))
        if constant and isinstance(constant[0], str):
            table = constant[0]
        elif sqlmodel:
            table = node.name.lower()  # SQLModel's default
        else:
            continue  # a table name the code does not spell; nothing to compare with
        if table not in created_by_backsmith:
            found.append((table, f"{owner.name}:{node.name}", owner.at(node)))
    value = ", ".join(f"{table}={model}" for table, model, _ in found)
    return Candidate(value or NONE, [where for *_, where in found], note="no tables")


def tables_created_in(migrations: Iterable[str]) -> set[str]:
    """The tables these migration scripts create (`op.create_table("name", ...)`)."""
    return {name for text in migrations for name in _CREATED_TABLE.findall(text)}


def parse_tables(value: str | None) -> dict[str, str]:
    """The `tables` fact read back: table -> `module:Class`."""
    if not value or value == NONE:
        return {}
    pairs = (part.strip().partition("=") for part in value.split(","))
    return {table: model for table, _, model in pairs if table and model}
