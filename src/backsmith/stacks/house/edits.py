"""Edits to a project's own modules, in its own idiom, made with libcst.

Each edit is idempotent: applying it to a file that already has it changes nothing, and
everything else in the file, comments and formatting included, is kept.
"""

from __future__ import annotations

import libcst as cst

from backsmith.stacks.fastapi_sqlalchemy.edits import (
    _is_import,
    _only_statement,
    _parse,
    _with_import,
)


def _top_level_name(node: cst.CSTNode) -> str | None:
    """The name a top-level class, function or `NAME = ...` statement defines."""
    if isinstance(node, (cst.ClassDef, cst.FunctionDef)):
        return node.name.value
    statement = _only_statement(node)
    if isinstance(statement, (cst.Assign, cst.AnnAssign)):
        targets = (
            [t.target for t in statement.targets]
            if isinstance(statement, cst.Assign)
            else [statement.target]
        )
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            return targets[0].value
    return None


def upsert_definitions(source: str, fragment: str, path: str) -> str:
    """`source` with the fragment's imports added and its definitions put in place.

    A definition the module already has (same name) is replaced where it stands; a new
    one is appended. This is how a feature adds to a module every feature shares, such
    as a single `app/models.py`.
    """
    module = _parse(source, path)
    additions = _parse(fragment, f"{path} (generated part)")
    for node in additions.body:
        if _is_import(node):
            module = _with_import(module, additions.code_for_node(node).strip())
    body = list(module.body)
    positions = {name: i for i, node in enumerate(body) if (name := _top_level_name(node))}
    for node in additions.body:
        name = _top_level_name(node)
        if name is None:
            continue
        if name in positions:
            body[positions[name]] = node
        else:
            positions[name] = len(body)
            body.append(node)
    return module.with_changes(body=body).code


def _is_call_on(node: cst.CSTNode, owner: str, method: str) -> bool:
    statement = _only_statement(node)
    if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
        return False
    function = statement.value.func
    return (
        isinstance(function, cst.Attribute)
        and function.attr.value == method
        and isinstance(function.value, cst.Name)
        and function.value.value == owner
    )


def include_router(source: str, path: str, registry: str, import_line: str, call: str) -> str:
    """Import a router and include it after the registry's last `include_router` call."""
    module = _with_import(_parse(source, path), import_line)
    if call in module.code:
        return module.code
    body = list(module.body)
    includes = [i for i, node in enumerate(body) if _is_call_on(node, registry, "include_router")]
    position = includes[-1] + 1 if includes else len(body)
    body.insert(position, cst.parse_statement(call))
    return module.with_changes(body=body).code


def register_models(source: str, path: str, models_module: str, classes: list[str]) -> str:
    """Make the registry import a feature's models, in the form it imports the others.

    A registry with `__all__` (a models package's `__init__.py`) imports the classes and
    lists them; any other (Alembic's env.py) imports the module for its side effect.
    """
    module = _parse(source, path)
    if "__all__" not in module.code:
        parent, _, last = models_module.rpartition(".")
        alias = f"{parent.rpartition('.')[2]}_{last}"
        statement = f"from {parent} import {last} as {alias}  # noqa: F401 - registers the tables"
        if f"import {last} as {alias}" in module.code:
            return module.code
        return _with_import(module, statement).code
    module = _with_import(module, f"from {models_module} import {', '.join(classes)}")

    class ExtendAll(cst.CSTTransformer):
        def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
            target = original.targets[0].target
            if not (isinstance(target, cst.Name) and target.value == "__all__"):
                return updated
            if not isinstance(updated.value, (cst.List, cst.Tuple)):
                return updated
            present = {
                e.value.evaluated_value
                for e in updated.value.elements
                if isinstance(e.value, cst.SimpleString)
            }
            elements = list(updated.value.elements)
            for name in classes:
                if name not in present:
                    elements.append(cst.Element(cst.SimpleString(f'"{name}"')))
            elements = [e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in elements]
            return updated.with_changes(value=updated.value.with_changes(elements=elements))

    return module.visit(ExtendAll()).code
