"""Edits the house blueprint makes to a project's own modules: in place, idempotent."""

from __future__ import annotations

from backsmith.stacks.house.edits import include_router, register_models, upsert_definitions

MODELS = '''"""Every table."""

from sqlmodel import SQLModel


class Item(SQLModel, table=True):  # the team's own
    id: int | None = None


class Tag(SQLModel):
    name: str
'''


def test_upsert_adds_new_definitions_and_replaces_its_own_where_they_stand() -> None:
    fragment = (
        "from decimal import Decimal\n\n\nclass Tag(SQLModel):\n    label: str\n\n\nLIMIT = 3\n"
    )
    result = upsert_definitions(MODELS, fragment, "app/models.py")
    assert "class Item(SQLModel, table=True):  # the team's own" in result
    assert "label: str" in result and "name: str" not in result
    assert result.index("class Tag") < result.index("LIMIT = 3")  # replaced in place
    assert "from decimal import Decimal" in result
    assert upsert_definitions(result, fragment, "app/models.py") == result


def test_include_router_follows_the_last_include_and_is_idempotent() -> None:
    source = (
        "from fastapi import APIRouter\n\nfrom app.api.routes import items\n\n"
        "api_router = APIRouter()\napi_router.include_router(items.router)\n\n\n"
        "def unrelated() -> None:\n    pass\n"
    )
    args = ("app/api/main.py", "api_router", "from app.api.routes import budget")
    call = "api_router.include_router(budget.router)"
    result = include_router(source, *args, call)
    lines = result.splitlines()
    assert lines[lines.index("api_router.include_router(items.router)") + 1] == call
    assert include_router(result, *args, call) == result


def test_models_are_registered_in_the_form_the_registry_uses() -> None:
    package = 'from app.models.user import User\n\n__all__ = ["User"]\n'
    listed = register_models(package, "app/models/__init__.py", "app.models.budget", ["Budget"])
    assert "from app.models.budget import Budget" in listed
    assert '"User", "Budget"' in listed.replace("\n", "")
    env = "from app.auth import models as auth_models  # noqa: F401 - registers the tables\n"
    imported = register_models(env, "alembic/env.py", "app.budget.models", ["Budget"])
    assert "from app.budget import models as budget_models  # noqa: F401" in imported
    assert register_models(imported, "alembic/env.py", "app.budget.models", ["Budget"]) == imported
