"""The architecture gate: the layering the profile describes, checked by import-linter.

Contracts derived from the project (each feature package is `app/<name>/` with a router):
- layers inside a feature: router > dependencies > service > schemas > models; a module
  imports only layers below it (a model never imports the service, ...);
- routers do not touch the database: no direct `sqlalchemy` import in a router (queries
  belong to the service; the session reaches routes through dependencies);
- the core does not depend on features (`app.core` imports no feature package);
- features use each other only through their public modules (models, schemas): never
  another feature's service, router or dependencies. `auth` is the shared base every
  feature may use.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail

LAYERS = ("router", "dependencies", "service", "schemas", "models")
PRIVATE = ("router", "dependencies", "service")
SHARED_FEATURES = frozenset({"auth"})

_LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)


def feature_packages(root: Path, package: str) -> list[str]:
    base = root / package
    return sorted(
        child.name
        for child in base.iterdir()
        if child.is_dir() and (child / "router.py").is_file() and (child / "__init__.py").is_file()
    )


def contracts(root: Path, package: str) -> str:
    """The import-linter configuration (INI) for this project."""
    features = feature_packages(root, package)
    sections = [f"[importlinter]\nroot_package = {package}\ninclude_external_packages = True\n"]
    for feature in features:
        layers = "\n".join(f"    ({layer})" for layer in LAYERS)
        sections.append(
            f"[importlinter:contract:{feature}-layers]\n"
            f"name = {feature}: router > dependencies > service > schemas > models\n"
            f"type = layers\ncontainers = {package}.{feature}\nlayers =\n{layers}\n"
        )
        if (root / package / feature / "router.py").is_file():
            sections.append(
                f"[importlinter:contract:{feature}-router-no-database]\n"
                f"name = {feature}: the router does not query the database (no sqlalchemy)\n"
                f"type = forbidden\nsource_modules = {package}.{feature}.router\n"
                # Direct imports only: the session arrives through dependencies, by design.
                "forbidden_modules = sqlalchemy\nallow_indirect_imports = True\n"
            )
        others = [
            f"{package}.{other}.{module}"
            for other in features
            if other != feature and other not in SHARED_FEATURES
            for module in PRIVATE
            if (root / package / other / f"{module}.py").is_file()
        ]
        if others:
            forbidden = "\n".join(f"    {name}" for name in others)
            sections.append(
                f"[importlinter:contract:{feature}-uses-public-modules]\n"
                f"name = {feature}: other features only through their models and schemas\n"
                f"type = forbidden\nsource_modules = {package}.{feature}\n"
                f"forbidden_modules =\n{forbidden}\n"
            )
    if (root / package / "core").is_dir() and features:
        forbidden = "\n".join(f"    {package}.{feature}" for feature in features)
        sections.append(
            "[importlinter:contract:core-independent]\n"
            "name = core: imports no feature\n"
            f"type = forbidden\nsource_modules = {package}.core\nforbidden_modules =\n{forbidden}\n"
        )
    return "\n".join(sections)


_BROKEN = re.compile(r"^(?P<name>.+) BROKEN$")


def architecture_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    package = context.profile.package
    config = context.scratch / "importlinter.ini"
    config.write_text(contracts(context.root, package), encoding="utf-8")
    completed = context.run(
        [sys.executable, "-c", _LINT, str(config)], env={"PYTHONPATH": str(context.root)}
    )
    output = completed.stdout + completed.stderr
    kept = re.search(r"Contracts: (\d+) kept, (\d+) broken", output)
    if kept is None:
        return GateResult(
            name="architecture",
            status=Status.ERROR,
            duration_s=time.perf_counter() - started,
            summary="import-linter did not run",
            failures=[Failure(message="import-linter failed", detail=tail(output))],
        )
    broken = [
        match["name"]
        for match in (_BROKEN.match(line.strip()) for line in output.splitlines())
        if match
    ]
    failures = [
        Failure(message=f"contract broken: {name}", detail=_details(output, name, broken))
        for name in broken
    ]
    return GateResult(
        name="architecture",
        status=Status.FAILED if completed.returncode != 0 else Status.PASSED,
        duration_s=time.perf_counter() - started,
        summary=f"{kept[1]} contracts kept, {kept[2]} broken",
        figures={"contracts_kept": int(kept[1]), "contracts_broken": int(kept[2])},
        failures=failures,
    )


def _details(output: str, name: str, names: list[str]) -> str:
    """What import-linter printed under a broken contract's heading: the offending imports."""
    lines = output.splitlines()
    headings = {i for i, line in enumerate(lines) if line.strip() in names}
    starts = [i for i in headings if lines[i].strip() == name]
    if not starts:
        return ""
    start = max(starts) + 2  # past the heading and its underline
    end = min((i for i in headings if i > start), default=len(lines))
    return "\n".join(line for line in lines[start:end] if line.strip()).strip()
