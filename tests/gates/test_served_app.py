"""Which app the gates prove: the one the project's own run command serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsmith.errors import ProjectError
from backsmith.gates.served_app import served_app
from backsmith.project.profile import Fact, ProjectProfile


def build_file_tree(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def profile_of(root: Path, *, app: str | None = None) -> ProjectProfile:
    facts = {"app": Fact(value=app, evidence="app/factory.py:3 FastAPI()")} if app else {}
    return ProjectProfile(
        root=root, stack="fastapi_sqlalchemy", name="shop", facts=facts, made_by_backsmith=not app
    )


MODULES = {
    "pyproject.toml": "[project]\nname = 'shop'\n",
    "app/__init__.py": "",
    "app/main.py": "app = object()\n",
    "app/server.py": "api = object()\n",
    "app/factory.py": "def build(): ...\n",
}


@pytest.mark.parametrize(
    ("files", "reference", "evidence"),
    [
        ({}, "app.main:app", "app/main.py (default)"),
        (
            {"Procfile": "web: uvicorn app.server:api --host 0.0.0.0 --port $PORT\n"},
            "app.server:api",
            "Procfile:1",
        ),
        (
            {"Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "app.server:api", "--port", "80"]\n'},
            "app.server:api",
            "Dockerfile:2",
        ),
        (
            {"Makefile": "serve:\n\t.venv/bin/uvicorn --factory app.factory:build --reload\n"},
            "app.factory:build",
            "Makefile:2",
        ),
        (
            {"README.md": "Serve it:\n\n    fastapi run app/server.py --app api\n"},
            "app.server:api",
            "README.md:3",
        ),
        ({"compose.yaml": "command: fastapi dev app\n"}, "app.main:app", "compose.yaml:1"),
        (
            {"app/__main__.py": 'import uvicorn\n\nuvicorn.run("app.server:api", port=8000)\n'},
            "app.server:api",
            "app/__main__.py:3",
        ),
        (
            {
                "pyproject.toml": "[tool.backsmith]\napp = 'app.factory:build'\n",
                "Procfile": "web: uvicorn app.server:api\n",
            },
            "app.factory:build",
            "pyproject.toml: [tool.backsmith] app",
        ),
        # Another project's command, quoted in the README: its module is not in this one.
        ({"README.md": "Like `uvicorn elsewhere.main:app`.\n"}, "app.main:app", "(default)"),
    ],
)
def test_the_served_app_is_what_the_run_command_names(
    tmp_path: Path, files: dict[str, str], reference: str, evidence: str
) -> None:
    build_file_tree(tmp_path, {**MODULES, **files})

    app = served_app(profile_of(tmp_path))

    assert app.reference == reference
    assert evidence in app.evidence


def test_without_a_run_command_a_profiled_project_serves_its_profiles_app(tmp_path: Path) -> None:
    build_file_tree(tmp_path, MODULES)

    app = served_app(profile_of(tmp_path, app="app.factory:build"))

    assert (app.reference, app.evidence) == ("app.factory:build", "app/factory.py:3 FastAPI()")


def test_an_override_that_is_not_module_attribute_is_an_error_naming_it(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {**MODULES, "pyproject.toml": "[tool.backsmith]\napp = 'app.main'\n"})

    with pytest.raises(ProjectError, match=r"\[tool.backsmith\] app = 'app.main' is not"):
        served_app(profile_of(tmp_path))
