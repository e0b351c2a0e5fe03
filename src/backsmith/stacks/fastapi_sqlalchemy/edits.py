"""Edits to files the project owns (its app factory, its model registry), made with libcst.

Each edit is idempotent: applying it to a file that already has it changes nothing. The
rest of the file, comments and formatting included, is kept as it is.
"""

from __future__ import annotations

import libcst as cst

from backsmith.errors import ProjectError


def _parse(source: str, path: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise ProjectError(
            f"{path}:{error.raw_line}:{error.raw_column}: cannot parse the file: {error.message}"
        ) from None


def _only_statement(node: cst.CSTNode) -> cst.BaseSmallStatement | None:
    """The single small statement of a simple line (`import x`, `f()`, `x = 1`), if any."""
    if isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1:
        return node.body[0]
    return None


def _is_import(node: cst.CSTNode) -> bool:
    # Plain isinstance checks: libcst.matchers costs a fifth of a second to import.
    return isinstance(_only_statement(node), (cst.Import, cst.ImportFrom))


def _with_import(module: cst.Module, statement: str) -> cst.Module:
    """Add `statement` after the last top-level import, unless it is already there."""
    new = cst.parse_statement(statement)
    body = list(module.body)
    if any(module.code_for_node(node).strip() == statement for node in body):
        return module
    last_import = max(
        (i for i, node in enumerate(body) if _is_import(node)),
        default=-1,
    )
    body.insert(last_import + 1, new)
    return module.with_changes(body=body)


def _is_include_router(node: cst.CSTNode) -> bool:
    """`<something>.include_router(...)` as a statement of its own."""
    statement = _only_statement(node)
    if not isinstance(statement, cst.Expr) or not isinstance(statement.value, cst.Call):
        return False
    function = statement.value.func
    return isinstance(function, cst.Attribute) and function.attr.value == "include_router"


def register_router(source: str, feature: str, path: str = "app/main.py") -> str:
    """Import the feature's router and include it after the app's last `include_router`."""
    alias = f"{feature}_router"
    module = _with_import(
        _parse(source, path), f"from app.{feature}.router import router as {alias}"
    )
    call = f"app.include_router({alias})"
    if call in module.code:
        return module.code

    class AddInclude(cst.CSTTransformer):
        added = False

        def leave_FunctionDef(
            self, original: cst.FunctionDef, updated: cst.FunctionDef
        ) -> cst.FunctionDef:
            if original.name.value != "create_app" or not isinstance(
                updated.body, cst.IndentedBlock
            ):
                return updated
            statements = list(updated.body.body)
            includes = [i for i, node in enumerate(statements) if _is_include_router(node)]
            if not includes:
                return updated
            statements.insert(includes[-1] + 1, cst.parse_statement(call))
            self.added = True
            return updated.with_changes(body=updated.body.with_changes(body=statements))

    transformer = AddInclude()
    result = module.visit(transformer)
    if not transformer.added:
        raise ProjectError(
            f"{path}: found no `app.include_router(...)` call inside `create_app()` to add "
            f"the {feature} router after"
        )
    return result.code


def register_models(source: str, feature: str, path: str = "app/models.py") -> str:
    """Import the feature's models module and add it to `MODEL_MODULES`."""
    alias = f"{feature}_models"
    module = _with_import(_parse(source, path), f"from app.{feature} import models as {alias}")

    class AddModule(cst.CSTTransformer):
        found = False

        def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
            targets = original.targets
            if not (
                len(targets) == 1
                and isinstance(targets[0].target, cst.Name)
                and targets[0].target.value == "MODEL_MODULES"
            ):
                return updated
            self.found = True
            if not isinstance(updated.value, cst.Tuple):
                return updated
            elements = list(updated.value.elements)
            if any(isinstance(e.value, cst.Name) and e.value.value == alias for e in elements):
                return updated
            elements = [e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in elements]
            elements.append(cst.Element(cst.Name(alias), comma=cst.Comma()))
            return updated.with_changes(value=updated.value.with_changes(elements=elements))

    transformer = AddModule()
    result = module.visit(transformer)
    if not transformer.found:
        raise ProjectError(
            f"{path}: found no `MODEL_MODULES = (...)` to register {feature}'s models in"
        )
    return result.code


def _is_untouched_stub(function: cst.FunctionDef) -> bool:
    """A function whose body is only its docstring: a hook nobody has written yet."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock) or len(body.body) != 1:
        return False
    only = body.body[0]
    statement = _only_statement(only)
    return isinstance(statement, cst.Expr) and isinstance(statement.value, cst.SimpleString)


def update_hooks_module(source: str, rendered: str, hooks: set[str], path: str) -> str:
    """Bring a hand-owned hooks module up to date with the spec, keeping every edit.

    Hooks of `rendered` missing from `source` are appended (with the imports they need);
    hooks named like ours that the spec no longer has are removed, but only while they
    are untouched stubs: a hook with code in it stays.
    """
    module = _parse(source, path)
    template = cst.parse_module(rendered)
    defined = {node.name.value for node in module.body if isinstance(node, cst.FunctionDef)}
    body: list[cst.BaseStatement] = []
    for node in module.body:
        stale = (
            isinstance(node, cst.FunctionDef)
            and node.name.value.startswith(("before_create_", "before_update_", "before_delete_"))
            and node.name.value not in hooks
            and _is_untouched_stub(node)
        )
        if not stale:
            body.append(node)
    missing = [
        node
        for node in template.body
        if isinstance(node, cst.FunctionDef) and node.name.value not in defined
    ]
    module = module.with_changes(body=[*body, *missing])
    if missing:
        # The template's imports cover every annotation its hooks use; ruff drops the rest.
        for node in template.body:
            if _is_import(node):
                module = _with_import(module, template.code_for_node(node).strip())
    return module.code
