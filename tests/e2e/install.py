"""Install a generated project the way its README tells a new user to.

The commands are read from the project's own README, not restated here, so that a README
whose set-up does not work fails the end-to-end tests instead of passing beside them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
INSTALLERS = ("pip", "uv")
_FENCED = re.compile(r"^```(?:sh|bash|console)?\n(.*?)^```", re.DOTALL | re.MULTILINE)


class InstallFailed(AssertionError):
    """The README's set-up commands failed; the message carries their output."""


def readme_setup(project: Path, installer: str) -> str:
    """The README's set-up block for `installer` ("pip" or "uv"), as shell text."""
    if installer not in INSTALLERS:
        raise ValueError(f"installer must be one of {INSTALLERS}, got {installer!r}")
    readme = (project / "README.md").read_text(encoding="utf-8")
    for block in _FENCED.findall(readme):
        uses_uv = re.search(r"^\s*uv\s", block, re.MULTILINE) is not None
        installs = "pip install" in block
        if installs and uses_uv == (installer == "uv"):
            return str(block)
    raise InstallFailed(f"{project / 'README.md'} gives no set-up commands for {installer}")


def find_python(version: str) -> Path | None:
    """An interpreter of this `major.minor` version on this machine (pyenv's, then PATH's).

    Each candidate is run once: a pyenv shim on PATH exists whether or not it can serve.
    """
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [d / "bin" / "python" for d in sorted(pyenv.glob(f"{version}.*"), reverse=True)]
    on_path = shutil.which(f"python{version}")
    candidates += [Path(on_path)] if on_path else []
    for candidate in candidates:
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def install_project(
    project: Path, installer: str = "uv", python: str | Path | None = None, timeout: int = 900
) -> Path:
    """Run the README's set-up for `installer` in `project`; return the new venv's bin dir.

    `python` picks the interpreter the venv is made from (default: the one running the
    tests). The commands run unchanged: `python` is put first on PATH for pip, and uv is
    told through `UV_PYTHON`, as a user with that interpreter active would have it.
    """
    interpreter = Path(python) if python else Path(sys.executable)
    shim = project.parent / f".python-{interpreter.name}"
    shim.mkdir(exist_ok=True)
    link = shim / "python"
    if not link.exists():
        link.symlink_to(interpreter)
    env = {
        **os.environ,
        # `uv` comes with backsmith's dev environment; the shim names the chosen `python`.
        "PATH": os.pathsep.join([str(shim), str(BIN), os.environ.get("PATH", "")]),
        "UV_PYTHON": str(interpreter),
    }
    env.pop("VIRTUAL_ENV", None)  # a venv active in the caller must not receive the install
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_setup(project, installer)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise InstallFailed(
            f"the README's {installer} set-up failed in {project}:\n"
            f"{(result.stdout + result.stderr)[-6000:]}"
        )
    venv_bin = project / ".venv" / "bin"
    if not (venv_bin / "python").exists():
        raise InstallFailed(f"the README's {installer} set-up made no .venv in {project}")
    return venv_bin
