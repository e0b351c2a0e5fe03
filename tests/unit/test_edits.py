"""libcst edits register a feature in the app factory and the model registry, once."""

from __future__ import annotations

import ast

import pytest

from backsmith.errors import ProjectError
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_project
from backsmith.stacks.fastapi_sqlalchemy.edits import register_models, register_router

PROJECT = render_project("demo")


def test_register_router_adds_import_and_include_after_the_last_one() -> None:
    edited = register_router(PROJECT["app/main.py"], "clinic")
    assert "from app.clinic.router import router as clinic_router\n" in edited
    auth = edited.index("app.include_router(auth_router)")
    clinic = edited.index("app.include_router(clinic_router)")
    assert auth < clinic < edited.index("def openapi()")
    compile(edited, "main.py", "exec")


def test_register_router_is_idempotent_and_keeps_other_features() -> None:
    once = register_router(PROJECT["app/main.py"], "clinic")
    twice = register_router(register_router(once, "library"), "clinic")
    assert twice.count("app.include_router(clinic_router)") == 1
    assert twice.index("clinic_router)") < twice.index("library_router)")


def test_register_router_keeps_comments_and_user_code() -> None:
    source = PROJECT["app/main.py"].replace(
        "    app.include_router(auth_router)\n",
        "    app.include_router(auth_router)  # the auth endpoints\n    app.state.flag = True\n",
    )
    edited = register_router(source, "clinic")
    assert "# the auth endpoints" in edited and "app.state.flag = True" in edited


def test_register_router_refuses_an_app_without_include_router() -> None:
    with pytest.raises(ProjectError, match="include_router"):
        register_router("def create_app():\n    return None\n", "clinic")


def test_register_router_reports_a_syntax_error_with_its_line() -> None:
    with pytest.raises(ProjectError, match=r"app/main\.py:2"):
        register_router("x = 1\ndef (:\n", "clinic")


def test_register_models_extends_the_tuple_once() -> None:
    edited = register_models(register_models(PROJECT["app/models.py"], "clinic"), "clinic")
    assert "from app.clinic import models as clinic_models" in edited
    assignment = next(
        node
        for node in ast.parse(edited).body
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "MODEL_MODULES"
    )
    assert isinstance(assignment.value, ast.Tuple)
    assert [ast.unparse(e) for e in assignment.value.elts] == ["auth_models", "clinic_models"]


def test_hooks_module_gains_new_hooks_and_keeps_written_ones() -> None:
    from backsmith.stacks.fastapi_sqlalchemy.edits import update_hooks_module

    current = (
        "from app.shop.models import Old\n\n\n"
        "async def before_create_old(values: dict) -> None:\n"
        '    """Untouched stub."""\n\n\n'
        "async def before_update_old(values: dict) -> None:\n"
        "    values['x'] = 1  # written by hand\n\n\n"
        "async def before_create_item(values: dict) -> None:\n"
        "    raise ValueError('mine')\n"
    )
    rendered = (
        "from app.shop.models import Item\n\n\n"
        "async def before_create_item(values: dict) -> None:\n"
        '    """Stub."""\n\n\n'
        "async def before_delete_item(values: dict) -> None:\n"
        '    """Stub."""\n'
    )
    hooks = {"before_create_item", "before_delete_item"}
    updated = update_hooks_module(current, rendered, hooks, "app/shop/rules.py")
    names = [n.name for n in ast.parse(updated).body if isinstance(n, ast.AsyncFunctionDef)]
    assert names == ["before_update_old", "before_create_item", "before_delete_item"]
    assert "raise ValueError('mine')" in updated and "values['x'] = 1" in updated
    assert "from app.shop.models import Item" in updated
    assert update_hooks_module(updated, rendered, hooks, "app/shop/rules.py") == updated
