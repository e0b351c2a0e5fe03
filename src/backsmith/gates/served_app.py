"""The app the project serves: what the gates that run the app (openapi, fuzz) must prove.

Not a fresh `create_app()`: a route added to `app/main.py` after `app = create_app()` is
served, so it is fuzzed and documented like any other. The object is, first found first:

1. `[tool.backsmith] app = "pkg.mod:attr"` in pyproject.toml (the override always wins);
2. what the project's own run command names: a `uvicorn X:Y` (`--factory` too) or
   `fastapi run|dev PATH [--app NAME]` line in its Procfile, Dockerfile, compose file,
   Makefile or README, or `uvicorn.run("X:Y")` in a `__main__.py` or a top-level script;
3. the profile's `app` fact (the FastAPI() the code creates), for a project backsmith did
   not make;
4. `<package>.main:app`, which `backsmith new` writes (`app = create_app()`).

When the module has no such `app` but a `create_app()`, the gates make one with it and
say so: the only case in which they prove an app the project does not serve as such.

A run command is taken only when the module it names is in the project, so a README that
quotes another project's command does not count. Read as text, never imported or run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from backsmith.errors import ProjectError
from backsmith.project.profile import ProjectProfile

# Where run commands live, most authoritative first.
RUN_FILES = (
    "Procfile",
    "Dockerfile",
    "Containerfile",
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
    "Makefile",
    "justfile",
    "README.md",
    "README.rst",
    "README",
)
_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_UVICORN_RUN = re.compile(r"""uvicorn\.run\(\s*["']([A-Za-z_][\w.]*:[A-Za-z_][\w.]*)["']""")
# Quotes, brackets and commas of an exec-form CMD (`["uvicorn", "app.main:app"]`) are spaces.
_PUNCTUATION = re.compile(r"""[\[\]"',]""")


@dataclass(frozen=True)
class ServedApp:
    """`module:attribute` of the served app, and where that shows."""

    module: str
    attribute: str
    evidence: str

    @property
    def reference(self) -> str:
        return f"{self.module}:{self.attribute}"


def served_app(profile: ProjectProfile) -> ServedApp:
    """The app the project serves (see the module docstring for the order); a ProjectError
    if `[tool.backsmith] app` is not a `module:attribute` reference."""
    root = profile.root
    override = _override(root)
    if override is not None:
        return override
    found = _run_command(root) or _main_script(root, profile.package)
    if found is not None:
        return found
    app = profile.value("app")
    if app is not None and ":" in app:
        module, _, attribute = app.partition(":")
        fact = profile.facts["app"]
        return ServedApp(module, attribute, fact.evidence)
    return ServedApp(f"{profile.package}.main", "app", f"{profile.package}/main.py (default)")


def _override(root: Path) -> ServedApp | None:
    pyproject = root / "pyproject.toml"
    try:
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    value = config.get("tool", {}).get("backsmith", {}).get("app")
    if value is None:
        return None
    if not isinstance(value, str) or not _REFERENCE.match(value):
        raise ProjectError(
            f"{pyproject}: [tool.backsmith] app = {value!r} is not `module:attribute`",
            hint='name the app as uvicorn does, e.g. app = "app.main:app"',
        )
    module, _, attribute = value.partition(":")
    return ServedApp(module, attribute, "pyproject.toml: [tool.backsmith] app")


def _run_command(root: Path) -> ServedApp | None:
    for name in RUN_FILES:
        path = root / name
        if not path.is_file():
            continue
        for number, line in enumerate(_read(path).splitlines(), start=1):
            found = _command_app(root, _PUNCTUATION.sub(" ", line).split())
            if found is not None:
                module, attribute = found
                return ServedApp(module, attribute, f"{name}:{number}: {line.strip()}")
    return None


def _command_app(root: Path, words: list[str]) -> tuple[str, str] | None:
    """(module, attribute) a `uvicorn` or `fastapi run|dev` command line serves."""
    for index, word in enumerate(words):
        rest = words[index + 1 :]
        if PurePosixPath(word).name == "uvicorn":
            reference = next((w for w in rest if _REFERENCE.match(w)), None)
            if reference is not None:
                module, _, attribute = reference.partition(":")
                if _module_file(root, module) is not None:
                    return module, attribute
        elif PurePosixPath(word).name == "fastapi" and rest[:1] in (["run"], ["dev"]):
            return _fastapi_cli_app(root, rest[1:])
    return None


def _fastapi_cli_app(root: Path, arguments: list[str]) -> tuple[str, str] | None:
    """`fastapi run PATH --app NAME`: the module of PATH (a file, or a package's main.py)."""
    attribute = "app"
    path: str | None = None
    words = iter(arguments)
    for word in words:
        if word == "--app":
            attribute = next(words, attribute)
        elif word.startswith("--app="):
            attribute = word.partition("=")[2]
        elif not word.startswith("-") and path is None:
            path = word
    if path is None:
        return None
    target = root / path
    if target.is_dir():
        target = next(
            (target / n for n in ("main.py", "app.py", "api.py") if (target / n).is_file()),
            target / "__init__.py",
        )
    if target.suffix != ".py" or not target.is_file():
        return None
    relative = target.relative_to(root).with_suffix("")
    parts = relative.parts[1:] if relative.parts[0] == "src" else relative.parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts), attribute


def _main_script(root: Path, package: str) -> ServedApp | None:
    """`uvicorn.run("X:Y")` in the package's `__main__.py` or a top-level script."""
    candidates = [root / package.replace(".", "/") / "__main__.py", *sorted(root.glob("*.py"))]
    for path in candidates:
        if not path.is_file():
            continue
        text = _read(path)
        if "__main__" not in text and path.name != "__main__.py":
            continue
        match = _UVICORN_RUN.search(text)
        if match is not None:
            module, _, attribute = match[1].partition(":")
            if _module_file(root, module) is not None:
                line = text[: match.start()].count("\n") + 1
                where = path.relative_to(root).as_posix()
                return ServedApp(module, attribute, f"{where}:{line}: uvicorn.run({match[1]!r})")
    return None


def _module_file(root: Path, module: str) -> Path | None:
    """The project's file of `module`, under the root or `src/`, if it has one."""
    parts = module.split(".")
    for base in (root, root / "src"):
        folder = base.joinpath(*parts)
        for candidate in (folder.with_suffix(".py"), folder / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
