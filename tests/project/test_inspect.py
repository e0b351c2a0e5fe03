"""`backsmith inspect`: the profile of real projects, ambiguity, overrides and refusals.

The three projects under tests/fixtures/projects are small, working FastAPI services in
the styles backsmith meets most (SQLModel layer-first, async domain-first, async
layer-first); a fourth is made by `backsmith new`. Smaller projects are written into
tmp_path by each test that needs one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backsmith.errors import ProjectError
from backsmith.project.inspect import FACT_KEYS, inspect_project
from backsmith.project.profile import ProjectProfile, load_profile

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "projects"
CLINIC = REPO / "examples" / "clinic.md"


def backsmith(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backsmith", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )


def build_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def lines_with(path: Path, needle: str) -> list[int]:
    """Line numbers of `path` that contain `needle`: what the evidence must point at."""
    text = path.read_text(encoding="utf-8").splitlines()
    return [number for number, line in enumerate(text, start=1) if needle in line]


def at(file: str, root: Path, needle: str) -> str:
    """`file:3, 4` for the lines of `file` that contain `needle`."""
    found = lines_with(root / file, needle)
    assert found, f"{needle!r} is not in {file}"
    return f"{file}:{', '.join(map(str, found))}"


def facts(profile: ProjectProfile) -> dict[str, str]:
    return {key: fact.value for key, fact in profile.facts.items()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project made by `backsmith new` with the clinic example feature."""
    parent = tmp_path_factory.mktemp("new")
    result = backsmith("new", "demo", "--directory", str(parent), "--feature", str(CLINIC))
    assert result.returncode == 0, result.stderr
    return parent / "demo"


# --- the fixture projects ------------------------------------------------------------------


def test_sqlmodel_layered_profile() -> None:
    root = FIXTURES / "sqlmodel_layered"
    profile = inspect_project(root)
    found = facts(profile)
    assert found["framework"] == "fastapi"
    assert (found["orm"], found["flavour"], found["layout"]) == (
        "sqlmodel",
        "sqlmodel-sync",
        "layer",
    )
    assert profile.is_async is False
    assert profile.feature_paths("billing") == {
        "models": "app/models.py",
        "schemas": "app/models.py",
        "service": "app/crud.py",
        "router": "app/api/routes/billing.py",
        "tests": "tests/api/routes/test_billing.py",
    }
    assert found["base"] == "sqlmodel:SQLModel"
    assert found["session_dependency"] == "app.api.deps:SessionDep"
    assert found["session_provider"] == "app.api.deps:get_db"
    assert found["current_user_dependency"] == "app.api.deps:CurrentUser"
    assert found["user_model"] == "app.models:User"
    assert found["settings"] == "app.core.config:settings"
    assert found["app"] == "app.main:app"
    assert found["router_registry"] == "app.api.main:api_router"
    registry = profile.facts["router_registry"].evidence
    assert registry.startswith(at("app/api/main.py", root, "api_router.include_router("))
    assert f"mounted at {at('app/main.py', root, 'app.include_router(')}" in registry
    assert found["router_prefix"] == "router"
    assert found["pagination"] == "offset"
    assert found["pagination_shape"] == "{data, count}"
    assert found["pagination_params"] == "skip, limit"
    assert found["errors"] == "http_exception"
    assert found["error_base"] == "fastapi:HTTPException"
    assert found["database_driver"] == "pysqlite"
    assert found["migrations"] == "alembic"
    assert found["alembic_script_location"] == "app/alembic"
    assert found["alembic_file_template"] == "%(rev)s_%(slug)s"
    assert profile.facts["alembic_file_template"].source == "default"
    assert found["model_registry"] == "app/models.py"
    assert found["test_framework"] == "pytest"
    assert found["test_client"] == "fastapi.testclient.TestClient"
    assert found["test_client_fixture"] == "client"
    assert found["test_db_fixture"] == "db"
    assert found["test_user_fixtures"] == "superuser_token_headers, normal_user_token_headers"
    assert found["test_db_setup"] == "alembic upgrade"
    # No line-length in its ruff configuration: ruff's default, and said so.
    assert found["ruff_line_length"] == "88"
    assert profile.facts["ruff_line_length"].source == "default"
    assert found["ruff_select"] == "E, W, F, I, B, C4, UP, ARG001, T201"
    assert found["mypy_strict"] == "true"
    assert profile.name == "tasklist"
    assert profile.package == "app"


def test_async_domain_profile() -> None:
    root = FIXTURES / "async_domain"
    profile = inspect_project(root)
    found = facts(profile)
    assert (found["orm"], found["flavour"], found["layout"]) == (
        "sqlalchemy",
        "sqlalchemy-async",
        "domain",
    )
    assert profile.is_async is True
    assert profile.feature_paths("billing") == {
        "models": "app/billing/models.py",
        "schemas": "app/billing/schemas.py",
        "service": "app/billing/service.py",
        "router": "app/billing/router.py",
        "tests": "tests/billing/test_router.py",
    }
    assert found["base"] == "app.database:Base"
    assert profile.facts["base"].evidence.startswith(
        at("app/database.py", root, "class Base(DeclarativeBase)")
    )
    assert found["session_dependency"] == "app.database:DbSession"
    assert found["session_provider"] == "app.database:get_session"
    assert found["current_user_dependency"] == "app.auth.dependencies:CurrentUser"
    assert found["user_model"] == "app.auth.models:User"
    # The settings class is called Config here; the object is what code imports.
    assert found["settings"] == "app.config:settings"
    assert found["router_registry"] == "app.main:app"
    assert profile.facts["router_registry"].evidence.startswith(
        at("app/main.py", root, "app.include_router(")
    )
    assert found["router_prefix"] == "include_router"
    assert found["pagination"] == "offset"
    assert found["pagination_shape"] == "{items, total, limit, offset}"
    assert found["pagination_params"] == "offset, limit"
    assert found["pagination_model"] == "app.pagination:Page"
    assert found["errors"] == "domain_exceptions"
    assert found["error_base"] == "app.exceptions:DomainError"
    assert found["database_driver"] == "aiosqlite"
    assert found["alembic_script_location"] == "alembic"
    assert found["alembic_file_template"] == "%(year)d%(month).2d%(day).2d_%(rev)s_%(slug)s"
    assert found["model_registry"] == "alembic/env.py"
    assert found["test_framework"] == "pytest + pytest-asyncio"
    assert found["test_asyncio_mode"] == "auto"
    assert found["test_client"] == "httpx.AsyncClient"
    assert found["test_db_fixture"] == "session"
    assert found["test_user_fixtures"] == "user, other_user, auth_headers, other_auth_headers"
    assert (found["ruff_line_length"], found["mypy_strict"]) == ("100", "true")
    assert found["mypy_plugins"] == "pydantic.mypy"


def test_async_layered_profile() -> None:
    root = FIXTURES / "async_layered"
    profile = inspect_project(root)
    found = facts(profile)
    assert (found["orm"], found["flavour"], found["layout"]) == (
        "sqlalchemy",
        "sqlalchemy-async",
        "layer",
    )
    # Service modules are named <name>_service.py here, and a new one follows suit.
    assert profile.feature_paths("billing") == {
        "models": "app/models/billing.py",
        "schemas": "app/schemas/billing.py",
        "service": "app/services/billing_service.py",
        "router": "app/api/v1/endpoints/billing.py",
        "tests": "tests/api/test_billing.py",
    }
    assert found["base"] == "app.db.base:Base"
    assert found["session_dependency"] == "app.api.deps:SessionDep"
    assert found["session_provider"] == "app.db.session:get_db"
    assert found["current_user_dependency"] == "app.api.deps:CurrentUser"
    assert found["user_model"] == "app.models.user:User"
    assert found["settings"] == "app.core.config:get_settings"
    assert found["app"] == "app.main:app"
    assert found["router_registry"] == "app.api.v1.router:api_router"
    registry = profile.facts["router_registry"].evidence
    assert registry.startswith(at("app/api/v1/router.py", root, "api_router.include_router("))
    assert f"mounted at {at('app/main.py', root, '.include_router(api_router')}" in registry
    assert found["router_prefix"] == "router"
    assert found["pagination"] == "page"
    assert found["pagination_shape"] == "{items, total, page, size, pages}"
    assert found["pagination_params"] == "page, size"
    assert found["errors"] == "problem_json"
    assert found["error_base"] == "app.core.errors:AppError"
    assert found["alembic_script_location"] == "migrations"
    assert found["alembic_file_template"] == "%(year)d-%(month).2d-%(day).2d_%(slug)s_%(rev)s"
    assert found["model_registry"] == "app/models/__init__.py"
    assert found["test_client_fixture"] == "client"
    assert found["test_db_fixture"] == "db_session"
    assert found["test_user_fixtures"] == "test_user, authorized_client"
    assert (found["ruff_line_length"], found["mypy_strict"]) == ("120", "false")


@pytest.mark.parametrize("name", ["sqlmodel_layered", "async_domain", "async_layered"])
def test_every_fact_has_evidence_and_a_documented_key(name: str) -> None:
    profile = inspect_project(FIXTURES / name)
    for key, fact in profile.facts.items():
        assert key in FACT_KEYS, key
        assert fact.value, key
        assert fact.evidence, key
        assert fact.source != "override", key  # the fixtures configure no [tool.backsmith]


@pytest.mark.parametrize("name", ["sqlmodel_layered", "async_domain", "async_layered"])
def test_claude_md_corroborates_and_lists_conventions(name: str) -> None:
    root = FIXTURES / name
    profile = inspect_project(root)
    assert profile.warnings == []
    corroborated = [k for k, f in profile.facts.items() if "CLAUDE.md:" in f.evidence]
    assert {"flavour", "pagination"} <= set(corroborated)
    assert profile.conventions
    for convention in profile.conventions:
        line = int(convention.evidence.removeprefix("CLAUDE.md:"))
        page = (root / "CLAUDE.md").read_text(encoding="utf-8").splitlines()
        assert convention.value.startswith(page[line - 1].strip().lstrip("-* ").strip()[:20])


def test_inspect_json_through_the_cli_matches_the_profile() -> None:
    root = FIXTURES / "async_layered"
    result = backsmith("inspect", str(root), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    expected = inspect_project(root).model_dump(mode="json")
    assert document == expected


def test_inspect_table_through_the_cli() -> None:
    result = backsmith("inspect", str(FIXTURES / "sqlmodel_layered"))
    assert result.returncode == 0, result.stderr
    for text in (
        "router_registry",
        "app.api.main:api_router",
        "app/api/main.py:6",
        "{data, count}",
    ):
        assert text in result.stdout


# --- a project made by `backsmith new` --------------------------------------------------------


def test_generated_project_is_profiled_from_its_code(generated: Path) -> None:
    profile = inspect_project(generated)
    found = facts(profile)
    assert (found["orm"], found["flavour"], found["layout"]) == (
        "sqlalchemy",
        "sqlalchemy-async",
        "domain",
    )
    assert profile.feature_paths("billing") == {
        "models": "app/billing/models.py",
        "schemas": "app/billing/schemas.py",
        "service": "app/billing/service.py",
        "router": "app/billing/router.py",
        "tests": "tests/billing/test_billing.py",
    }
    assert found["base"] == "app.core.db:Base"
    assert found["session_dependency"] == "app.auth.dependencies:SessionDep"
    assert found["session_provider"] == "app.core.db:get_session"
    assert found["current_user_dependency"] == "app.auth.dependencies:CurrentUser"
    assert found["user_model"] == "app.auth.models:User"
    assert found["settings"] == "app.core.config:get_settings"
    # Routers are included inside the factory: that function is where a new one goes.
    assert found["router_registry"] == "app.main:create_app"
    assert profile.facts["router_registry"].evidence.startswith(
        at("app/main.py", generated, "app.include_router(")
    )
    assert found["router_prefix"] == "route"
    assert found["pagination"] == "keyset"
    assert found["pagination_shape"] == "{items, next_cursor}"
    assert found["pagination_params"] == "limit, cursor"
    assert found["errors"] == "problem_json"
    assert found["error_base"] == "app.core.errors:DomainError"
    assert found["model_registry"] == "app/models.py"
    assert found["alembic_script_location"] == "migrations"
    assert found["alembic_file_template"].startswith("%(year)d_%(month).2d_%(day).2d")
    assert found["test_client"] == "httpx.AsyncClient"
    assert found["test_db_fixture"] == "session"
    assert found["test_user_fixtures"] == "make_user, user, other_user, admin"
    assert (found["ruff_line_length"], found["mypy_strict"]) == ("100", "true")
    assert profile.warnings == []


def test_a_generated_project_is_one_constant_set_of_conventions_its_code_bears_out(
    generated: Path,
) -> None:
    """`load_profile` answers a project made by `backsmith new` without reading its code;
    each convention it states is what `inspect` reads from that code too."""
    profile = load_profile(generated)
    assert profile.stack == "fastapi_sqlalchemy"
    assert profile.name == "demo"
    assert profile.package == "app"
    assert profile.coverage_threshold == 90
    stated = {k: f.value for k, f in profile.facts.items()}
    read = facts(inspect_project(generated))
    shared = sorted(stated.keys() & read.keys())
    assert {k: stated[k] for k in shared} == {k: read[k] for k in shared}
    assert {"app", "flavour", "layout", "errors", "alembic_script_location"} <= set(shared)
    assert stated["database_url_env"] == "DATABASE_URL"
    assert stated["http_contract"] == "generated"


# --- projects written by the tests ---------------------------------------------------------

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlalchemy"]\n'
MAIN = """\
from fastapi import FastAPI

from app import items

app = FastAPI()
app.include_router(items.router)
"""
ITEMS = """\
from fastapi import APIRouter

router = APIRouter()


@router.get("/items")
def list_items() -> list[str]:
    return []
"""
BASE = """\
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
"""


SMALL = {
    "pyproject.toml": PYPROJECT,
    "app/__init__.py": "",
    "app/main.py": MAIN,
    "app/items.py": ITEMS,
    "app/db.py": BASE,
}
LEGACY_BASE = {
    "app/legacy/__init__.py": "",
    "app/legacy/db.py": BASE.replace("class Base(", "class LegacyBase("),
}


def test_two_declarative_bases_are_an_error_naming_both(tmp_path: Path) -> None:
    root = build_tree(tmp_path, SMALL | LEGACY_BASE)
    with pytest.raises(ProjectError) as raised:
        inspect_project(root)
    message = str(raised.value)
    assert "the declarative base is ambiguous" in message
    assert "app.db:Base at app/db.py:4" in message
    assert "app.legacy.db:LegacyBase at app/legacy/db.py:4" in message
    assert '[tool.backsmith] base = "app.db:Base"' in message

    before = snapshot(root)
    result = backsmith("inspect", str(root))
    assert result.returncode == 2
    assert "app/legacy/db.py:4" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_two_router_registries_are_an_error(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/db.py": BASE,
            "app/items.py": ITEMS,
            "app/orders.py": ITEMS.replace("/items", "/orders"),
            "app/api.py": (
                "from fastapi import APIRouter\n\nfrom app import orders\n\n"
                "api_router = APIRouter()\napi_router.include_router(orders.router)\n"
            ),
            "app/main.py": MAIN
            + "\nfrom app.api import api_router\n\napp.include_router(api_router)\n",
        },
    )
    with pytest.raises(ProjectError) as raised:
        inspect_project(root)
    message = str(raised.value)
    assert "where routers are registered is ambiguous" in message
    assert "app.main:app at app/main.py:6" in message
    assert "app.api:api_router at app/api.py:6" in message
    assert "[tool.backsmith] router_registry" in message


def test_claude_md_naming_one_candidate_settles_the_ambiguity(tmp_path: Path) -> None:
    claude = "# Shop\n\n## Conventions\n\n- New models derive from `Base` in `app/db.py`.\n"
    root = build_tree(tmp_path, SMALL | LEGACY_BASE | {"CLAUDE.md": claude})
    profile = inspect_project(root)
    base = profile.facts["base"]
    assert base.value == "app.db:Base"
    assert base.source == "claude_md"
    assert "chosen over app.legacy.db:LegacyBase by CLAUDE.md:5" in base.evidence
    assert [c.value for c in profile.conventions] == [
        "New models derive from `Base` in `app/db.py`."
    ]


def test_tool_backsmith_overrides_what_is_detected(tmp_path: Path) -> None:
    pyproject = PYPROJECT + (
        "\n[tool.backsmith]\n"
        'base = "app.legacy.db:LegacyBase"\n'
        'layout = "domain"\n'
        'pagination = "keyset"\n'
        "\n[tool.backsmith.paths]\n"
        'service = "app/{feature}/logic.py"\n'
    )
    root = build_tree(tmp_path, SMALL | LEGACY_BASE | {"pyproject.toml": pyproject})
    profile = inspect_project(root)
    assert profile.facts["base"].value == "app.legacy.db:LegacyBase"
    assert profile.facts["base"].source == "override"
    assert profile.facts["base"].evidence == "pyproject.toml:6 ([tool.backsmith])"
    assert profile.layout == "domain"
    assert profile.facts["pagination"].value == "keyset"
    assert profile.feature_paths("billing")["service"] == "app/billing/logic.py"
    assert profile.facts["paths.service"].evidence == "pyproject.toml:11 ([tool.backsmith])"
    assert profile.warnings == []


def test_a_wrong_override_is_refused_and_an_unknown_key_is_a_warning(tmp_path: Path) -> None:
    pyproject = PYPROJECT + '\n[tool.backsmith]\nlayout = "hexagonal"\n'
    root = build_tree(tmp_path, SMALL | {"pyproject.toml": pyproject})
    with pytest.raises(ProjectError, match=r"layout = 'hexagonal': expected one of domain, layer"):
        inspect_project(root)
    (root / "pyproject.toml").write_text(PYPROJECT + "\n[tool.backsmith]\nlayuot = 'domain'\n")
    profile = inspect_project(root)
    assert profile.warnings == [
        "pyproject.toml:6: [tool.backsmith] layuot is not a key backsmith knows; ignored "
        "(see docs/inspect.md)"
    ]


def test_claude_md_fills_what_the_code_leaves_open_and_loses_to_the_code(tmp_path: Path) -> None:
    claude = (
        "# Shop\n\n"
        "- Lists use keyset pagination: `?limit=&cursor=`.\n"
        "- The database layer is synchronous SQLAlchemy.\n"
        "- We organise the code layer-first.\n"
    )
    engine = (
        "\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'engine = create_async_engine("sqlite+aiosqlite:///x.db")\n'
    )
    root = build_tree(tmp_path, SMALL | {"app/db.py": BASE + engine, "CLAUDE.md": claude})
    profile = inspect_project(root)
    # No page model in the code: the statement decides, and says where it comes from.
    assert profile.facts["pagination"].value == "keyset"
    assert profile.facts["pagination"].source == "claude_md"
    assert profile.facts["pagination"].evidence == "CLAUDE.md:3"
    # The code shows an async engine: it wins over the statement, which is reported.
    assert profile.facts["flavour"].value == "sqlalchemy-async"
    assert any(
        w.startswith("CLAUDE.md:4 says flavour is 'sqlalchemy-sync'") for w in profile.warnings
    )
    assert profile.facts["layout"].value == "layer"


def test_inspect_reads_the_code_without_running_it(tmp_path: Path) -> None:
    side_effect = "from pathlib import Path\n\nPath('imported.txt').write_text('ran')\n"
    root = build_tree(tmp_path, SMALL | {"app/main.py": side_effect + MAIN})
    before = snapshot(root)
    result = backsmith("inspect", str(root), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["facts"]["app"]["value"] == "app.main:app"
    assert snapshot(root) == before  # nothing written, no bytecode, no imported.txt


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "pyproject.toml": '[project]\nname = "blog"\ndependencies = ["flask"]\n',
                "blog/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            },
            "not a FastAPI project",
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "api"\ndependencies = ["fastapi"]\n',
                "app/__init__.py": "",
                "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            },
            "uses neither SQLAlchemy nor SQLModel",
        ),
    ],
    ids=["flask", "fastapi-without-orm"],
)
def test_a_project_backsmith_cannot_profile_is_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    root = build_tree(tmp_path, files)
    before = snapshot(root)
    result = backsmith("inspect", str(root))
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot(root) == before


# --- the fixtures are real projects -----------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["sqlmodel_layered", "async_domain", "async_layered"])
def test_fixture_project_passes_its_own_gates(name: str, tmp_path: Path) -> None:
    """Its tests pass on a SQLite file, and ruff and mypy (as it configures them) are clean."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    bin_dir = Path(sys.executable).parent
    commands = [
        [str(bin_dir / "pytest"), "-q", "-p", "no:cacheprovider"],
        [str(bin_dir / "ruff"), "check", "--no-cache", "."],
        [str(bin_dir / "ruff"), "format", "--check", "--no-cache", "."],
        [str(bin_dir / "mypy"), "--cache-dir", str(tmp_path / "mypy")],
    ]
    for command in commands:
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False, timeout=600
        )
        assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"


def test_an_override_is_a_fact_even_where_the_code_shows_nothing_to_override(
    tmp_path: Path,
) -> None:
    """A hint says "set current_user_provider"; once set, it must be what is used."""
    pyproject = PYPROJECT + (
        "\n[tool.backsmith]\n"
        'current_user_provider = "app.auth:current_user"\n'
        'user_table = "accounts"\n'
        'error_classes = {404 = "app.errors:Missing", 409 = "app.errors:Clash"}\n'
    )
    root = build_tree(tmp_path, SMALL | {"pyproject.toml": pyproject})
    profile = inspect_project(root)
    assert profile.facts["current_user_provider"].value == "app.auth:current_user"
    assert profile.facts["current_user_provider"].source == "override"
    assert profile.facts["current_user_provider"].evidence == "pyproject.toml:6 ([tool.backsmith])"
    assert profile.facts["user_table"].value == "accounts"
    assert profile.facts["error_classes"].value == "404=app.errors:Missing, 409=app.errors:Clash"


def test_the_house_style_takes_every_detail_from_the_profile_and_its_overrides(
    tmp_path: Path,
) -> None:
    from backsmith.stacks.house.style import Symbol, read_house_style

    root = tmp_path / "planner"
    shutil.copytree(FIXTURES / "async_layered", root)
    detected = read_house_style(inspect_project(root), "budget")
    user = FIXTURES / "async_layered/app/models/user.py"
    assert detected.user_table == "user_account"
    assert inspect_project(root).facts["user_table"].evidence == (
        f"app/models/user.py:{lines_with(user, '__tablename__')[0]}"
    )
    assert detected.current_user_provider == Symbol("app.api.deps", "get_current_user")

    with (root / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(
            "\n[tool.backsmith]\n"
            'current_user_provider = "app.api.deps:current_user_for_tests"\n'
            'user_table = "accounts"\n'
            'table_names = "singular"\n'
            'read_suffix = "Out"\n'
        )
    overridden = read_house_style(inspect_project(root), "budget")
    assert overridden.current_user_provider == Symbol("app.api.deps", "current_user_for_tests")
    assert overridden.user_table == "accounts"
    assert overridden.plural_tables is False
    assert overridden.read_suffix == "Out"
    assert overridden.table_name("Expense") == "expense"


USERS = """\
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    hashed_password: Mapped[str]
"""
DEPS = """\
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from app.models import User

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token")


async def get_current_user(token: str = Depends(oauth2)) -> User:
    raise NotImplementedError


async def get_current_active_user(user: User = Depends(get_current_user)) -> User:
    return user
"""
AUTH_ROUTES = """\
from fastapi import APIRouter, Depends

from app.deps import get_current_user
from app.models import User

router = APIRouter()


@router.post("/register")
async def register_new_user(token: str = Depends(get_current_user)) -> User:
    raise NotImplementedError


@router.get("/me")
async def read_current_user(user: User = Depends(get_current_user)) -> User:
    return user
"""


def test_route_handlers_and_derived_checks_are_not_current_user_candidates(
    tmp_path: Path,
) -> None:
    """Without an `Annotated` alias, the dependency is the function routes depend on:
    handlers that return a user and checks built on the dependency are not candidates."""
    root = build_tree(
        tmp_path,
        SMALL | {"app/models.py": USERS, "app/deps.py": DEPS, "app/auth_routes.py": AUTH_ROUTES},
    )
    profile = inspect_project(root)
    assert profile.facts["current_user_dependency"].value == "app.deps:get_current_user"
    assert profile.facts["current_user_provider"].value == "app.deps:get_current_user"
    assert profile.facts["current_user_dependency"].evidence == at(
        "app/deps.py", root, "async def get_current_user("
    )


TESTS_BESIDE_THE_CODE = {
    "pyproject.toml": PYPROJECT + '\n[tool.pytest.ini_options]\ntestpaths = ["app"]\n',
    "app/__init__.py": "",
    "app/main.py": """\
from fastapi import FastAPI

from app.auth.views import router

app = FastAPI()
app.include_router(router, prefix="/auth")
""",
    "app/core/__init__.py": "",
    "app/core/db.py": BASE
    + """
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

make_session = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))


async def new_session() -> AsyncGenerator[AsyncSession]:
    async with make_session() as session:
        yield session


@asynccontextmanager
async def script_session() -> AsyncGenerator[AsyncSession]:
    async with make_session() as session:
        yield session
""",
    "app/auth/__init__.py": "",
    "app/auth/models.py": USERS.replace("from app.db import Base", "from app.core.db import Base"),
    "app/auth/jwt.py": (
        "from pydantic import BaseModel\n\n\nclass Claims(BaseModel):\n    sub: str\n"
    ),
    "app/auth/schemas.py": (
        "from pydantic import BaseModel\n\n\nclass UserOut(BaseModel):\n    id: int\n"
    ),
    "app/auth/views.py": """\
from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import new_session

router = APIRouter()


@router.get("/ping")
async def ping(session: AsyncSession = Depends(new_session)) -> str:
    return "pong"
""",
    "app/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef anything() -> int:\n    return 1\n",
    "app/auth/tests/__init__.py": "",
    "app/auth/tests/test_views.py": "def test_ping() -> None:\n    assert True\n",
}


def test_tests_kept_beside_the_code_are_tests_and_the_package_is_still_the_app(
    tmp_path: Path,
) -> None:
    """`testpaths = ["app"]` with `app/<feature>/tests/`: the app is profiled, its test
    modules are the tests, a new feature's tests go beside its code; a context-manager
    session for scripts is no dependency candidate; `schemas.py` wins a tie with jwt.py."""
    root = build_tree(tmp_path, TESTS_BESIDE_THE_CODE)
    profile = inspect_project(root)
    found = facts(profile)
    assert found["app"] == "app.main:app"
    assert found["session_dependency"] == "app.core.db:new_session"
    assert found["paths.tests"] == "app/{feature}/tests/test_{feature}.py"
    assert found["paths.schemas"] == "app/{feature}/schemas.py"
    assert found["paths.router"] == "app/{feature}/views.py"
    assert found["user_table"] == "users"


def test_syntax_of_a_newer_python_than_backsmiths_says_which_python_to_run(
    tmp_path: Path,
) -> None:
    pyproject = PYPROJECT.replace('name = "shop"', 'name = "shop"\nrequires-python = ">=3.99"')
    # Syntax no parser of today reads stands in for a newer Python's (`except A, B:` is
    # 3.14's, and would parse when these tests run on 3.14).
    broken = {"app/broken.py": "import os\n\n\nvalue = os.sep ?? '/'\n"}
    root = build_tree(tmp_path, SMALL | broken | {"pyproject.toml": pyproject})
    with pytest.raises(ProjectError) as raised:
        inspect_project(root)
    assert str(raised.value).startswith("app/broken.py:4: cannot parse this file")
    assert "the project requires Python >=3.99" in str(raised.value)
    assert "run backsmith with Python 3.99" in str(raised.value)


def test_a_stray_file_that_is_not_python_is_left_out_with_a_warning(tmp_path: Path) -> None:
    root = build_tree(tmp_path, SMALL | {"app/notes.py": "written by us :)\n"})
    profile = inspect_project(root)
    assert profile.facts["app"].value == "app.main:app"
    assert profile.warnings == [
        "app/notes.py:1: cannot parse this file: unmatched ')'; left out of the profile"
    ]


ROUTES = ITEMS.replace("/items", "/{name}")


def test_the_router_registry_is_where_resource_routers_go_or_where_modules_mount_theirs(
    tmp_path: Path,
) -> None:
    """An api_router with the resources beats an auth_router beside it; one aggregator per
    module (hexagonal), all mounted by one function, makes that function the registry."""
    api = """\
from fastapi import APIRouter

from app.routes import items, orders, users

api_router = APIRouter()
api_router.include_router(items.router)
api_router.include_router(orders.router)
api_router.include_router(users.router)
"""
    auth = """\
from fastapi import APIRouter

from app.routes import login

auth_router = APIRouter()
auth_router.include_router(login.router)
"""
    main = """\
from fastapi import FastAPI

from app.api import api_router
from app.auth import auth_router

app = FastAPI()
app.include_router(auth_router)
app.include_router(api_router, prefix="/api/v1")
"""
    routes = {f"app/routes/{n}.py": ROUTES for n in ("items", "orders", "users", "login")}
    layered = SMALL | routes | {"app/routes/__init__.py": "", "app/api.py": api}
    layered |= {"app/auth.py": auth, "app/main.py": main}
    del layered["app/items.py"]
    root = build_tree(tmp_path / "layered", layered)
    registry = inspect_project(root).facts["router_registry"]
    assert registry.value == "app.api:api_router"
    assert "chosen over app.auth:auth_router: it includes the most routers" in registry.evidence

    module_router = "from fastapi import APIRouter\n\nfrom app.{m} import views\n\n" + (
        "router = APIRouter()\nrouter.include_router(views.router)\n"
    )
    server = """\
from fastapi import FastAPI

from app.orders import router as order_router
from app.users import router as user_router


def init_routers(app_: FastAPI) -> None:
    app_.include_router(user_router)
    app_.include_router(order_router)


def create_app() -> FastAPI:
    app_ = FastAPI()
    init_routers(app_)
    return app_


app = create_app()
"""
    hexagonal = {k: v for k, v in SMALL.items() if k != "app/items.py"} | {"app/main.py": server}
    for module in ("orders", "users"):
        hexagonal[f"app/{module}/__init__.py"] = module_router.format(m=module)
        hexagonal[f"app/{module}/views.py"] = ROUTES
    root = build_tree(tmp_path / "hexagonal", hexagonal)
    registry = inspect_project(root).facts["router_registry"]
    assert registry.value == "app.main:init_routers"
    assert registry.evidence.startswith("app/main.py:8, 9"), registry.evidence


def test_routers_in_a_package_per_resource_and_schemas_split_by_direction_are_followed(
    tmp_path: Path,
) -> None:
    """`api/v1/tasks/tasks.py` beside `api/v1/users/users.py` (and one odd `monitoring/
    health.py`) puts a new feature's router in `api/v1/{feature}/{feature}.py` and its tests
    likewise; schemas go where modules are named after the resources (`schemas/requests/
    tasks.py`), not to a folder with more classes but none of them a resource's."""
    model = "from sqlalchemy.orm import Mapped, mapped_column\n\nfrom app.db import Base\n\n\n"
    model += "class {cls}(Base):\n    __tablename__ = '{table}'\n\n"
    model += "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    schema = "from pydantic import BaseModel\n\n\nclass {cls}(BaseModel):\n    name: str\n"
    registry = "from fastapi import APIRouter\n\nfrom api.v1.monitoring import health\n"
    registry += "from api.v1.tasks import tasks\nfrom api.v1.users import users\n\n"
    registry += "v1_router = APIRouter()\n"
    registry += "".join(
        f"v1_router.include_router({m}.router)\n" for m in ("health", "tasks", "users")
    )
    main = "from fastapi import FastAPI\n\nfrom api.v1 import v1_router\n\n"
    main += "app = FastAPI()\napp.include_router(v1_router, prefix='/v1')\n"
    files = {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "app/db.py": BASE,
        "app/main.py": main,
        "app/models/__init__.py": "",
        "app/models/task.py": model.format(cls="Task", table="tasks"),
        "app/models/user.py": model.format(cls="User", table="users"),
        "app/schemas/requests/tasks.py": schema.format(cls="TaskCreate"),
        "app/schemas/requests/users.py": schema.format(cls="UserCreate"),
        "app/schemas/responses/tasks.py": schema.format(cls="TaskResponse"),
        "app/schemas/extras/health.py": schema.format(cls="Health"),
        "app/schemas/extras/token.py": schema.format(cls="Token"),
        "app/schemas/extras/current_user.py": schema.format(cls="CurrentUser")
        + schema.format(cls="Claims").split("\n\n\n", 1)[1],
        "api/__init__.py": "",
        "api/v1/__init__.py": registry,
        "tests/api/v1/tasks/test_tasks.py": "def test_tasks() -> None:\n    pass\n",
        "tests/api/v1/users/test_users.py": "def test_users() -> None:\n    pass\n",
        "tests/api/v1/monitoring/test_health.py": "def test_health() -> None:\n    pass\n",
    }
    for package, module in (("monitoring", "health"), ("tasks", "tasks"), ("users", "users")):
        files[f"api/v1/{package}/__init__.py"] = ""
        files[f"api/v1/{package}/{module}.py"] = ROUTES.format(name=module)
    root = build_tree(tmp_path, files)

    profile = inspect_project(root)

    assert profile.value("paths.router") == "api/v1/{feature}/{feature}.py"
    router = profile.facts["paths.router"]
    assert router.evidence.startswith("api/v1/tasks/tasks.py:"), router.evidence
    assert "a package per resource in api/v1/" in router.evidence
    assert profile.value("paths.tests") == "tests/api/v1/{feature}/test_{feature}.py"
    assert profile.value("paths.schemas") == "app/schemas/requests/{feature}.py"


def test_a_project_without_user_accounts_is_told_so_not_sent_looking_for_a_model(
    tmp_path: Path,
) -> None:
    """Many small APIs have no sign-in at all: the refusal says what stops it (both pieces
    of sign-in are missing), instead of asking for a `user_model` alone."""
    engine = 'from sqlalchemy.ext.asyncio import create_async_engine\n\nengine = create_async_engine("sqlite+aiosqlite:///app.db")\n'
    root = build_tree(tmp_path / "project", SMALL | {"app/engine.py": engine})
    document = tmp_path / "labels.yaml"
    document.write_text(
        "feature: labels\nentities:\n  Label:\n    fields: {name: str}\n"
        "    access: {list: public, read: public, create: public, update: public, "
        "delete: public}\n",
        encoding="utf-8",
    )
    before = snapshot(root)

    result = backsmith("implement", str(document), "--project", str(root))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "cannot find this project's user accounts" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


CLASSIC_USERS = {
    # The declarative style before SQLAlchemy 2's `Mapped`, and a current-user function
    # without a return annotation that other dependencies take as `user: User = Depends(f)`.
    "app/models.py": """\
from sqlalchemy import Boolean, Column, Integer, String

from app.db import Base


class User(Base):
    __tablename__ = "user"

    id = Column(Integer, primary_key=True)
    email = Column(String, unique=True, nullable=False)
    hashed_password = Column(String, nullable=False)
    is_superuser = Column(Boolean, default=False)
""",
    "app/session.py": """\
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

engine = create_engine("sqlite:///app.db")
SessionLocal = sessionmaker(autocommit=False, autoflush=False, bind=engine)


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
""",
    "app/auth.py": """\
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

from app import models

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/token")


async def get_current_user(token: str = Depends(oauth2_scheme)):
    raise HTTPException(status_code=401)


async def get_current_active_superuser(
    current_user: models.User = Depends(get_current_user),
) -> models.User:
    if not current_user.is_superuser:
        raise HTTPException(status_code=403)
    return current_user
""",
}


def test_classic_declarative_users_and_untyped_dependency_functions_are_found(
    tmp_path: Path,
) -> None:
    root = build_tree(tmp_path, SMALL | CLASSIC_USERS)

    found = facts(inspect_project(root))

    assert found["user_model"] == "app.models:User"
    assert (found["user_table"], found["user_id_type"]) == ("user", "int")
    assert found["superuser_flag"] == "is_superuser"
    # The root of the chain, not the superuser check built on it.
    assert found["current_user_dependency"] == "app.auth:get_current_user"
    # An unannotated generator that yields what a sessionmaker makes.
    assert found["session_dependency"] == found["session_provider"] == "app.session:get_db"
    assert found["flavour"] == "sqlalchemy-sync"


def test_a_project_on_sqlalchemy_1_is_refused_naming_the_requirement(tmp_path: Path) -> None:
    requirements = "fastapi>=0.110\nSQLAlchemy==1.3.19\nalembic\n"
    root = build_tree(
        tmp_path / "project", SMALL | CLASSIC_USERS | {"requirements.txt": requirements}
    )
    assert facts(inspect_project(root))["outdated_libraries"] == "SQLAlchemy==1.3.19"
    document = tmp_path / "labels.yaml"
    document.write_text("feature: labels\nentities:\n  Label:\n    fields: {name: str}\n")
    before = snapshot(root)

    result = backsmith("implement", str(document), "--project", str(root))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "requirements.txt:2 (dependency SQLAlchemy==1.3.19)" in result.stderr
    assert "needs SQLAlchemy 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("requirement", "outdated"),
    [
        ("pydantic<2", True),
        ("fastapi~=0.65", True),
        ("sqlalchemy<=1.4.54", True),
        ("sqlalchemy>=1.4,<3", False),
        ("sqlalchemy[asyncio]>=2.0.36", False),
        ("pydantic", False),
    ],
)
def test_only_requirements_that_keep_a_library_below_its_supported_major_are_outdated(
    requirement: str, outdated: bool, tmp_path: Path
) -> None:
    root = build_tree(tmp_path, SMALL | {"requirements.txt": requirement + "\n"})
    assert ("outdated_libraries" in facts(inspect_project(root))) is outdated


def test_poetrys_caret_constraint_is_read_as_the_range_it_means(tmp_path: Path) -> None:
    pyproject = (
        '[tool.poetry]\nname = "shop"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'fastapi = "^0.115"\nsqlalchemy = {version = "^1.4", extras = ["asyncio"]}\n'
    )
    root = build_tree(tmp_path, SMALL | {"pyproject.toml": pyproject})

    profile = inspect_project(root)

    assert facts(profile)["outdated_libraries"] == "sqlalchemy>=1.4,<2"
    assert profile.facts["outdated_libraries"].evidence.startswith("pyproject.toml:7")
