"""The architecture gate: the layering the profile describes, checked by import-linter.

A project with its own import-linter configuration (`.importlinter`, `[importlinter]` in
setup.cfg, `[tool.importlinter]` in pyproject.toml) is checked against it. Otherwise the
contracts follow the profile's layout (`profile_contracts`):
- layer-first: the models, schemas and services layers do not import the web layer (the
  package of the routers, `app.api`);
- domain-first: a domain does not import another domain's router, and its models,
  schemas and service do not import its own router.

Projects made by `backsmith new` get the contracts of the generated layout (each feature
package is `app/<name>/` with a router):
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
import tomllib
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from backsmith import runtime
from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail
from backsmith.project.profile import ProjectProfile

LAYERS = ("router", "dependencies", "service", "schemas", "models")
PRIVATE = ("router", "dependencies", "service")
SHARED_FEATURES = frozenset({"auth"})


def feature_packages(root: Path, package: str) -> list[str]:
    base = root / package
    return sorted(
        child.name
        for child in base.iterdir()
        if child.is_dir() and (child / "router.py").is_file() and (child / "__init__.py").is_file()
    )


def contracts(root: Path, package: str, layering: Sequence[str] = LAYERS) -> str:
    """The import-linter configuration (INI) for feature packages layered as `layering`
    says (top first): each feature's layers, its router kept off the database, features
    using each other's public modules only, and a core that imports no feature."""
    features = feature_packages(root, package)
    sections = [f"[importlinter]\nroot_package = {package}\ninclude_external_packages = True\n"]
    for feature in features:
        layers = "\n".join(f"    ({layer})" for layer in layering)
        sections.append(
            f"[importlinter:contract:{feature}-layers]\n"
            f"name = {feature}: {' > '.join(layering)}\n"
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


OWN_CONFIGS = (".importlinter", "setup.cfg", "pyproject.toml")


def own_config(root: Path) -> Path | None:
    """The project's own import-linter configuration, if it has one."""
    for name in OWN_CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if name == "pyproject.toml":
            if "importlinter" in tomllib.loads(text).get("tool", {}):
                return path
        elif re.search(r"^\[importlinter\]", text, re.MULTILINE):
            return path
    return None


def _module_of(path: str) -> str:
    """`app/models/{feature}.py` -> `app.models`; `app/crud.py` -> `app.crud`."""
    parts = PurePosixPath(path.removeprefix("src/")).with_suffix("").parts
    if "{feature}" in parts[-1]:
        parts = parts[:-1]
    return ".".join(parts)


def _forbidden(key: str, name: str, sources: list[str], forbidden: list[str]) -> str:
    return (
        f"[importlinter:contract:{key}]\nname = {name}\ntype = forbidden\n"
        "source_modules =\n"
        + "".join(f"    {m}\n" for m in sources)
        + "forbidden_modules =\n"
        + "".join(f"    {m}\n" for m in forbidden)
    )


def profile_contracts(profile: ProjectProfile, source_root: Path) -> tuple[str, list[str]]:
    """The import-linter configuration for a profiled project, and the rules it states."""
    package = profile.package
    paths = profile.feature_paths("{feature}")
    router = paths.get("router")
    sections = [f"[importlinter]\nroot_package = {package}\n"]
    rules: list[str] = []

    def exists(module: str) -> bool:
        base = source_root.joinpath(*module.split("."))
        return base.is_dir() or base.with_suffix(".py").is_file()

    if profile.layout == "layer" and router:
        parts = _module_of(router).split(".")
        web = ".".join(parts[: len(package.split(".")) + 1])
        lower = []
        for layer in ("models", "schemas", "service"):
            module = _module_of(paths.get(layer, ""))
            if module and module != web and exists(module) and module not in lower:
                lower.append(module)
        if lower and web != package:
            rule = f"{', '.join(lower)} do not import the web layer {web}"
            sections.append(_forbidden("layers", rule, lower, [web]))
            rules.append(rule)
    elif profile.layout == "domain" and router and "{feature}" in router:
        pattern = PurePosixPath(router.removeprefix("src/"))
        holder = source_root.joinpath(*pattern.parent.parent.parts)
        stem = pattern.stem
        domains = (
            sorted(
                child.name
                for child in holder.iterdir()
                if child.is_dir() and (child / f"{stem}.py").is_file()
            )
            if holder.is_dir()
            else []
        )
        prefix = ".".join(pattern.parent.parent.parts)
        for domain in domains:
            others = [f"{prefix}.{o}.{stem}" for o in domains if o != domain]
            if others:
                rule = f"{domain} does not import another domain's {stem}"
                sections.append(
                    _forbidden(f"{domain}-routers", rule, [f"{prefix}.{domain}"], others)
                )
                rules.append(rule)
            inner = [
                f"{prefix}.{domain}.{Path(paths[layer]).stem}"
                for layer in ("models", "schemas", "service")
                if layer in paths and exists(f"{prefix}.{domain}.{Path(paths[layer]).stem}")
            ]
            if inner:
                rule = f"{domain}: models, schemas and service do not import its {stem}"
                sections.append(
                    _forbidden(f"{domain}-inner", rule, inner, [f"{prefix}.{domain}.{stem}"])
                )
                rules.append(rule)
    return "\n".join(sections), rules


def architecture_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    profile = context.profile
    package = profile.package
    source_root = (
        context.root / "src"
        if (context.root / "src" / package.split(".")[0]).is_dir()
        else context.root
    )
    config = own_config(context.root)
    if config is None:
        config = context.scratch / "importlinter.ini"
        layering = profile.value("layering")
        if layering:  # feature packages layered the way this fact names, top first
            text = contracts(context.root, package, [p.strip() for p in layering.split(">")])
        else:
            text, rules = profile_contracts(profile, source_root)
            if not rules:
                return GateResult(
                    name="architecture",
                    status=Status.SKIPPED,
                    duration_s=time.perf_counter() - started,
                    summary=f"skipped: no layering to check in a {profile.layout or 'unknown'} "
                    "layout without an import-linter configuration of the project's own",
                )
        config.write_text(text, encoding="utf-8")
    completed = context.run(
        [sys.executable, runtime.script("lint_imports"), str(config)],
        env={"PYTHONPATH": str(source_root)},
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
