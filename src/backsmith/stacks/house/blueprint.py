"""The house blueprint: a feature written into an existing project, in that project's style.

`render_house_feature` returns every file the feature creates or changes, by path: new
modules where the project keeps modules of their kind, and the project's own registries
(routers, models) and shared modules (a single `app/models.py`) edited in place.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from backsmith import runtime
from backsmith.design.values import NO_NUL
from backsmith.spec.model import FeatureSpec
from backsmith.stacks.house import edits
from backsmith.stacks.house.context import MAX_ID, HouseFeature, build_house_feature
from backsmith.stacks.house.style import HouseStyle
from backsmith.stacks.templating import source_environment

TEMPLATES = Path(__file__).parent / "templates"
NEW_PROJECT_TEMPLATES = TEMPLATES.parents[1] / "fastapi_sqlalchemy" / "templates"
_RUNTIME_IMPORT = "from app.core.checks import ("
ReadFile = Callable[[str], str | None]  # a project file's current content, or None


@cache
def _environment() -> jinja2.Environment:
    return source_environment(
        TEMPLATES,
        {"format_service": "{}Service".format, "format_service_dep": "{}ServiceDep".format},
    )


def _render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)


class HouseFiles:
    """The rendered feature: file contents by path, and which of them the project owns."""

    def __init__(self, style: HouseStyle, read: ReadFile) -> None:
        self.style = style
        self._read = read  # path -> current content or None
        self.files: dict[str, str] = {}
        self.hand_owned: set[str] = set()
        self.reasons: dict[str, str] = {}

    def current(self, path: str) -> str:
        if path in self.files:
            return self.files[path]
        return self._read(path) or ""

    def add(self, path: str, content: str, reason: str) -> None:
        """A module of the feature's own, or a part of a module every feature shares."""
        previous = self.reasons.get(path)
        self.reasons[path] = f"{previous}; {reason}" if previous else reason
        existing = self._read(path)
        if path in self.files or (existing is not None and self._shared(path)):
            self.files[path] = edits.upsert_definitions(self.current(path), content, path)
            self.hand_owned.add(path)
        else:
            self.files[path] = content

    def edit(self, path: str, content: str, reason: str) -> None:
        self.files[path] = content
        self.reasons[path] = reason
        self.hand_owned.add(path)

    def _shared(self, path: str) -> bool:
        return any(
            self.style.paths[layer] == path and self.style.shared(layer)
            for layer in self.style.paths
        )


def _packages(path: str, root: Path, files: HouseFiles) -> None:
    """`__init__.py` for every new package directory on the way to `path`."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        directory = "/".join(parts[:depth])
        init = f"{directory}/__init__.py"
        if (root / directory).is_dir() and (root / init).exists():
            continue
        if (root / directory).is_dir() and not any((root / directory).glob("*.py")):
            continue
        if not (root / directory).exists() and init not in files.files:
            files.files[init] = ""
            files.reasons[init] = "package"


def render_house_feature(spec: FeatureSpec, style: HouseStyle, read: ReadFile) -> HouseFiles:
    feature = build_house_feature(spec, style)
    context = {"feature": feature, "style": style, "max_id": MAX_ID, "no_nul": NO_NUL}
    files = HouseFiles(style, read)
    models = "models_sqlmodel.py.jinja" if style.sqlmodel else "models_sqlalchemy.py.jinja"
    entities = ", ".join(e.name for e in feature.entities)
    together = style.sqlmodel and style.paths["schemas"] == style.paths["models"]
    what = "models and request/response bodies" if together else "models"
    tables = entities + (
        f", {feature.role_table.model} (who holds which role)" if feature.role_table else ""
    )
    files.add(style.paths["models"], _render(models, **context), f"{what}: {tables}")
    if not together:
        schemas = _render("schemas.py.jinja", **context)
        files.add(style.paths["schemas"], schemas, "request and response bodies")
    service = _render("service.py.jinja", **context)
    files.add(style.paths["service"], service, "business rules, access enforced in queries")
    files.add(style.paths["router"], _render("router.py.jinja", **context), "REST endpoints")
    tests = _render("test_feature.py.jinja", **context)
    files.add(style.paths["tests"], tests, f"API tests of {entities}")
    if feature.service_classes and style.service_providers:
        providers = style.file_of(style.service_providers)
        files.edit(
            providers,
            edits.upsert_definitions(
                files.current(providers), _render("providers.py.jinja", **context), providers
            ),
            f"the {feature.name} services' dependencies",
        )
    if feature.checks_path and feature.checks_tests_path and feature.checks_module:
        runtime_source = (runtime.FOLDER / "checks.py").read_text(encoding="utf-8")
        files.add(feature.checks_path, runtime_source, "the cross-field checks' runtime")
        files.add(
            feature.checks_tests_path,
            _runtime_tests(feature.checks_module),
            "tests of the cross-field checks' runtime",
        )
    for layer in ("models", "router", "tests"):
        _packages(style.paths[layer], style.root, files)
    _register(feature, files)
    return files


def _runtime_tests(module: str) -> str:
    """The runtime's own tests, as new projects have them, importing it from `module`."""
    tests = NEW_PROJECT_TEMPLATES / "project" / "tests" / "core" / "test_checks.py"
    source = tests.read_text(encoding="utf-8")
    if _RUNTIME_IMPORT not in source:  # the one line that names where the runtime lives
        raise AssertionError(f"{tests} no longer imports {_RUNTIME_IMPORT!r}")
    return source.replace(_RUNTIME_IMPORT, f"from {module} import (")


def _register(feature: HouseFeature, files: HouseFiles) -> None:
    style = feature.style
    registry = style.router_registry
    registry_path = style.file_of(registry.module)
    router_module = style.module_of("router")
    parent, _, last = router_module.rpartition(".")
    if last == "router":
        alias = f"{feature.name}_router"
        import_line = f"from {router_module} import router as {alias}"
    else:
        alias = f"{last}.router"
        import_line = f"from {parent} import {last}"
    arguments = alias
    if style.router_prefix == "include_router":
        arguments += f', prefix="/{feature.name}", tags=["{feature.name}"]'
    call = f"{registry.name}.include_router({arguments})"
    files.edit(
        registry_path,
        edits.include_router(
            files.current(registry_path), registry_path, registry.name, import_line, call
        ),
        f"include the {feature.name} router",
    )
    if style.model_registry != style.paths["models"]:
        classes = [e.name for e in feature.entities]
        classes += [f.enum_class for e in feature.entities for f in e.enum_fields if f.enum_class]
        classes += [feature.role_table.model] if feature.role_table else []
        files.edit(
            style.model_registry,
            edits.register_models(
                files.current(style.model_registry),
                style.model_registry,
                style.module_of("models"),
                sorted(classes),
            ),
            f"register the {feature.name} models for Alembic",
        )
