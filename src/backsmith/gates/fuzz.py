"""The fuzz gate: schemathesis against the project's ASGI app, in process.

The gate copies a small pytest suite (`backsmith.runtime`: `fuzz_harness.py` and its
suite) into the run's scratch directory and runs it with the project's own interpreter, so
the app is imported exactly as its server imports it. The suite

- migrates a fresh scratch database with Alembic (a SQLite file in scratch, or a scratch
  database the gate makes on the PostgreSQL server of `context.database_url` and drops
  afterwards, as the migrations gate does),
- imports the app the project serves (`served_app.py`: `app.main:app`, or what its run
  command names) with the scratch database in the variable its settings read, so every
  route it serves is fuzzed, also one added after `app = create_app()`; only a module
  without that app gets one from `create_app(Settings(...))`, and the summary says so,
- signs every request with a bearer token of one user who holds every role the API
  knows; in a project backsmith did not make, the user and the token come from the
  profile instead (`fuzz_profile.py`),
- runs every schemathesis check in every phase: examples, coverage and fuzzing per
  operation (`schema.parametrize()`), then stateful sequences (`schema.as_state_machine()`,
  links inferred from the responses), with a fixed seed and no Hypothesis database,
- and writes what it found to a JSON file in scratch, which the gate reads (never the
  text pytest prints).

Nothing is written into the project: no `.pytest_cache` (`-p no:cacheprovider`), no
`.hypothesis` (its home is moved into scratch), no bytecode (`PYTHONPYCACHEPREFIX`).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from backsmith import runtime
from backsmith.errors import ProjectError
from backsmith.gates.database import database_env, project_url, sqlite_url
from backsmith.gates.fuzz_profile import profile_setup
from backsmith.gates.migrations import ScratchDatabaseError, scratch_postgres
from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail
from backsmith.gates.served_app import served_app

NAME = "fuzz"
SEED = 20261101  # any fixed number: the same project gets the same requests on every run
TIMEOUT_S = 1800
INSTALL_HINT = 'install it in the project\'s environment: `pip install "schemathesis>=4.0"`'

# The suite, copied into scratch under the names pytest collects, each from its module in
# `backsmith.runtime` (runs in the project's interpreter, which has no backsmith).
SUITE = {
    "pytest.ini": "fuzz_pytest.ini",
    "conftest.py": "fuzz_conftest.py",
    "backsmith_fuzz.py": "fuzz_harness.py",
    "test_backsmith_fuzz.py": "fuzz_suite.py",
}


def _write_suite(directory: Path) -> dict[str, Path]:
    """Copy the suite into `directory`; its files by their names there."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, source in SUITE.items():
        files[name] = directory / name
        shutil.copyfile(runtime.FOLDER / source, files[name])
    return files


# --- the gate ---------------------------------------------------------------------------


def fuzz_gate(context: GateContext) -> GateResult:
    """Fuzz every operation of the project's API; FAILED on any failed check."""
    started = time.monotonic()

    def result(status: Status, summary: str, **kwargs: Any) -> GateResult:
        return GateResult(
            name=NAME,
            status=status,
            duration_s=round(time.monotonic() - started, 2),
            summary=summary,
            **kwargs,
        )

    probe = context.run(
        ["python", "-c", "import schemathesis, hypothesis; print(schemathesis.__version__)"],
        timeout=120,
    )
    if probe.returncode != 0:
        return result(
            Status.ERROR,
            f"schemathesis is not importable by {context.python}; {INSTALL_HINT}",
            failures=[
                Failure(
                    message="schemathesis is not installed in the project's interpreter; "
                    + INSTALL_HINT,
                    detail=tail(probe.stderr or probe.stdout),
                )
            ],
        )

    try:
        app = served_app(context.profile)
    except ProjectError as error:
        return result(
            Status.ERROR,
            error.message,
            failures=[Failure(message=error.message, location="pyproject.toml", detail=error.hint)],
        )
    directory = context.scratch / "fuzz"
    files = _write_suite(directory)
    results_path = directory / "results.json"
    env: dict[str, str | None] = {
        "BACKSMITH_FUZZ_PROJECT": str(context.root),
        "BACKSMITH_FUZZ_APP": app.reference,
        "BACKSMITH_FUZZ_SCRATCH": str(directory),
        "BACKSMITH_FUZZ_RESULTS": str(results_path),
        "BACKSMITH_FUZZ_EXAMPLES": str(context.fuzz_examples),
        "BACKSMITH_FUZZ_SEED": str(SEED),
        # Nothing may be written into the project: bytecode and coverage data go to scratch.
        "PYTHONPYCACHEPREFIX": str(directory / "pycache"),
        "COVERAGE_FILE": str(directory / ".coverage"),
        "PYTHONHASHSEED": "0",
        # The suite runs as written: no options or plugins from the caller's environment.
        "PYTEST_ADDOPTS": None,
        "PYTEST_PLUGINS": None,
    }
    profile = context.profile
    if profile.value("accounts") == "generated":
        # The harness signs in through the generated accounts (users with every role) and
        # builds the app as the project's tests do.
        env["ENVIRONMENT"] = "test"
    else:
        setup = profile_setup(profile)
        if setup.skip:
            return result(Status.SKIPPED, f"skipped: {setup.skip}")
        env.update(setup.env)
    server = context.database_url if (context.database_url or "").startswith("postgresql") else None
    try:
        with (
            scratch_postgres(context, server, "backsmith_fuzz")
            if server
            else nullcontext("") as url
        ):
            # The app reads its URL when it is imported: the variable its settings read.
            url = project_url(profile, url) if url else sqlite_url(profile, directory / "fuzz.db")
            env.update(database_env(profile, url))
            env["BACKSMITH_FUZZ_DATABASE_URL"] = url
            run = context.run(
                [
                    "python",
                    "-m",
                    "pytest",
                    str(files["test_backsmith_fuzz.py"]),
                    "-c",
                    str(files["pytest.ini"]),
                    "--rootdir",
                    str(directory),
                    "-p",
                    "no:cacheprovider",
                    "-q",
                    "--no-header",
                    "-rN",
                ],
                env=env,
                timeout=TIMEOUT_S,
            )
    except ScratchDatabaseError as error:
        return result(
            Status.ERROR,
            "could not create a scratch PostgreSQL database",
            failures=[
                Failure(message="could not create a scratch PostgreSQL database", detail=str(error))
            ],
        )
    output = "\n".join(part for part in (run.stdout, run.stderr) if part)
    if run.returncode == 124:
        return result(Status.ERROR, f"the fuzz run timed out after {TIMEOUT_S}s", failures=[])
    try:
        data = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return result(
            Status.ERROR,
            "the fuzz harness did not run (no results were written)",
            failures=[Failure(message="the fuzz harness did not run", detail=tail(output))],
        )
    if data.get("skip"):
        return result(Status.SKIPPED, f"skipped: {data['skip']}")
    if data.get("setup_error"):
        return result(
            Status.ERROR,
            "the fuzz harness could not set up the app (database, migrations or import)",
            failures=[
                Failure(
                    message="setting up the app for fuzzing failed",
                    detail=tail(data["setup_error"]),
                )
            ],
        )
    return _verdict(data, result)


def _verdict(data: dict[str, Any], result: Callable[..., GateResult]) -> GateResult:
    roles = ", ".join(data.get("roles", [])) or "no roles"
    failures = [_failure(entry, roles) for entry in data.get("failures", [])]
    failures += [
        Failure(
            message=f"the fuzz test {error['test']} failed outside the checks "
            f"({error['when']}): {_last_line(error['detail'])}",
            location=_operation_of(error["test"]),
            detail=error["detail"],
        )
        for error in data.get("errors", [])
    ]
    operations = len(data.get("operations", []))
    figures: dict[str, int | float | str] = {
        "operations": operations,
        "examples": int(data.get("examples", 0)),
        "stateful_steps": int(data.get("stateful_steps", 0)),
        "stateful": str(data.get("stateful") or ""),
        "failures": len(failures),
        "database": str(data.get("database") or ""),
        "schemathesis": str(data.get("schemathesis") or ""),
        "app": str(data.get("app") or ""),
    }
    served = f" of {figures['app']}" if figures["app"] else ""
    if operations == 0:
        return result(
            Status.ERROR,
            "schemathesis tested no operation",
            figures=figures,
            failures=failures,
        )
    if failures:
        return result(
            Status.FAILED,
            f"{len(failures)} failure(s) over {operations} operations{served}, "
            f"{figures['examples']} requests",
            figures=figures,
            failures=failures,
        )
    return result(
        Status.PASSED,
        f"{operations} operations{served}, {figures['examples']} requests, every check passed",
        figures=figures,
    )


def _failure(entry: dict[str, Any], roles: str) -> Failure:
    status = f" (HTTP {entry['status']})" if entry.get("status") is not None else ""
    message = f"{entry['title']}{status} [{entry['check']}]"
    first_line = next((line for line in str(entry.get("message") or "").splitlines() if line), "")
    if first_line:
        message += f": {first_line}"
    detail = [
        entry["curl"],
        f"(sent with `Authorization: Bearer <token>` of a user with the roles {roles})",
    ]
    if entry.get("message"):
        detail.append(str(entry["message"]))
    if entry.get("response"):
        detail.append(f"Response body: {entry['response']}")
    if entry.get("traceback"):
        detail.append("Server traceback:\n" + tail(entry["traceback"], 25))
    if entry.get("count", 1) > 1:
        detail.append(f"({entry['count']} requests failed this way; this is the shortest)")
    return Failure(message=message, location=entry["operation"], detail="\n\n".join(detail))


def _last_line(text: str) -> str:
    return next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")


def _operation_of(nodeid: str) -> str | None:
    """`METHOD /path` from a parametrized test id like `test_operation[GET /things]`."""
    if "[" in nodeid and nodeid.endswith("]"):
        return nodeid[nodeid.index("[") + 1 : -1]
    return None
