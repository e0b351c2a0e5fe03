"""The fuzz gate: schemathesis against the project's ASGI app, in process.

The gate writes a small pytest suite into the run's scratch directory and runs it with the
project's own interpreter, so the app is imported exactly as its tests import it. The suite

- migrates a fresh scratch database with Alembic (a SQLite file in scratch, or a scratch
  database the gate makes on the PostgreSQL server of `context.database_url` and drops
  afterwards, as the migrations gate does),
- builds the app with `create_app(Settings(database_url=..., environment="test"))`, as the
  project's `tests/conftest.py` does, and signs every request with a bearer token of one
  user who holds every role the API knows; in a project backsmith did not make, the app,
  the user and the token come from the profile instead (`fuzz_profile.py`),
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
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from backsmith.gates.database import database_env, project_url, sqlite_url
from backsmith.gates.fuzz_profile import profile_setup
from backsmith.gates.migrations import ScratchDatabaseError, scratch_postgres
from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail

NAME = "fuzz"
SEED = 20261101  # any fixed number: the same project gets the same requests on every run
TIMEOUT_S = 1800
INSTALL_HINT = 'install it in the project\'s environment: `pip install "schemathesis>=4.0"`'

# --- the suite the gate writes into scratch (runs in the project's interpreter) ------------

_PYTEST_INI = """\
[pytest]
# backsmith's fuzz suite: the project's own pytest settings do not apply here.
python_files = test_*.py
filterwarnings =
    ignore::DeprecationWarning
"""

_CONFTEST = '''\
"""Set up the fuzz run before collection: the schema is loaded when the test module is."""

import backsmith_fuzz


def pytest_configure(config):
    backsmith_fuzz.setup()


def pytest_runtest_logreport(report):
    backsmith_fuzz.record_test_report(report)


def pytest_collectreport(report):
    backsmith_fuzz.record_test_report(report)  # e.g. the OpenAPI document does not load


def pytest_unconfigure(config):
    backsmith_fuzz.teardown()
'''

_TEST_MODULE = '''\
"""Every operation in every phase, then stateful sequences across operations."""

import backsmith_fuzz as fuzz

schema = fuzz.load_schema()

if schema is not None:  # None: the harness found a reason not to fuzz, in its results

    @schema.parametrize()
    def test_operation(case):
        fuzz.call_and_check(case)

    def test_stateful():
        fuzz.run_stateful(schema)
'''

_HARNESS = r'''"""backsmith fuzz harness: state, set-up and the recording of failures.

Configured through the environment by the gate (BACKSMITH_FUZZ_*). Results go to
$BACKSMITH_FUZZ_RESULTS as JSON; check failures are recorded and the run goes on, so one
run reports every distinct failure, each with the shortest request that shows it.
"""

import asyncio
import dataclasses
import importlib
import json
import os
import pkgutil
import sys
import traceback
from pathlib import Path

import hypothesis.configuration

PROJECT = Path(os.environ["BACKSMITH_FUZZ_PROJECT"])
SCRATCH = Path(os.environ["BACKSMITH_FUZZ_SCRATCH"])
RESULTS = Path(os.environ["BACKSMITH_FUZZ_RESULTS"])
DATABASE_URL = os.environ.get("BACKSMITH_FUZZ_DATABASE_URL", "")
MAX_EXAMPLES = int(os.environ["BACKSMITH_FUZZ_EXAMPLES"])
SEED = int(os.environ["BACKSMITH_FUZZ_SEED"])

# Hypothesis keeps caches in `.hypothesis` under the working directory (the project).
hypothesis.configuration.set_hypothesis_home_dir(SCRATCH / "hypothesis")
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

state = {
    "app": None,
    "asgi": None,
    "config": None,
    "roles": [],
}
results = {
    "schemathesis": None,
    "database": None,
    "roles": [],
    "operations": [],
    "examples": 0,
    "stateful_steps": 0,
    "stateful_restarts": 0,
    "stateful": "ran",
    "failures": {},
    "errors": [],
    "setup_error": None,
    "skip": None,
}


def write_results():
    data = dict(results, failures=list(results["failures"].values()))
    RESULTS.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


# --- set-up ------------------------------------------------------------------------------


def _database_url():
    """A fresh, empty database: the scratch PostgreSQL database the gate made, or a file."""
    if DATABASE_URL:
        return DATABASE_URL
    return f"sqlite+aiosqlite:///{SCRATCH / 'fuzz.db'}"


def _migrate(url):
    """Every migration, as the project's tests apply them."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def every_role():
    """Every role any access rule of the app names, plus `admin` (which always exists).

    Read from the `EntityAccess` objects of each feature's service module rather than from
    the feature documents or the OpenAPI document: they are what the routes enforce, so a
    user holding all of them passes every role check, whatever the spec said.
    """
    import app as package
    from app.core.access import EntityAccess, Rule

    roles = {"admin"}
    for info in pkgutil.iter_modules(package.__path__):
        name = f"{package.__name__}.{info.name}.service"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and name.startswith(error.name):
                continue  # not a feature package
            raise
        for value in vars(module).values():
            if not isinstance(value, EntityAccess):
                continue
            for item in dataclasses.fields(value):
                rule = getattr(value, item.name)
                if isinstance(rule, Rule):
                    roles.update(rule.roles)
    return sorted(roles)


async def _create_user(settings, roles):
    """The fuzzing user, made with a short-lived engine of its own.

    (The app's engine must first connect inside the event loop that serves the requests.)
    """
    from app.auth.models import User
    from app.core.db import create_engine, create_sessionmaker
    from app.core.security import create_access_token, hash_password

    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            user = User(
                email="fuzzer@example.com",
                hashed_password=hash_password("fuzzing-password-0123456789"),
                roles=roles,
            )
            session.add(user)
            await session.commit()
            return create_access_token(user.id, settings)
    finally:
        await engine.dispose()


class RecordingApp:
    """The app, unchanged, except that an exception escaping it is kept, not re-raised.

    Starlette has already answered such a request with a 500 before re-raising; swallowing
    the exception here lets schemathesis see that 500 (and report it with the request),
    and the traceback goes into the report.
    """

    def __init__(self, app):
        self.app = app
        self.last_error = None

    async def __call__(self, scope, receive, send):
        started = False

        async def watch(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            self.last_error = "".join(traceback.format_exception(error))
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})


def setup():
    try:
        import schemathesis

        results["schemathesis"] = schemathesis.__version__
        url = _database_url()
        results["database"] = "postgresql" if url.startswith("postgresql") else "sqlite"
        _migrate(url)
        if os.environ.get("BACKSMITH_FUZZ_APP"):
            _setup_from_profile(url)
            return
        from app.core.config import Settings
        from app.main import create_app

        settings = Settings(database_url=url, environment="test")
        roles = every_role()
        results["roles"] = roles
        token = asyncio.run(_create_user(settings, roles))
        state["app"] = create_app(settings)
        state["asgi"] = RecordingApp(state["app"])
        state["config"] = _config(token)
    except BaseException:
        results["setup_error"] = traceback.format_exc()
        write_results()
        teardown()
        raise
    write_results()


# --- set-up for a project backsmith did not make (see backsmith/gates/fuzz_profile.py) ----

EMAIL = "fuzzer@example.com"
USERNAME = "backsmith-fuzzer"
PASSWORD = "Fuzzing-password-0123456789"
# Columns naming the tenant (organization) a user belongs to: the fuzzing user gets one.
TENANT_COLUMNS = ("tenant", "tenant_id", "organization", "org")
TENANT = "backsmith-fuzz"
# Flags that take a privilege away: the fuzzing user keeps these false.
NEGATIVE_FLAGS = ("deleted", "banned", "blocked", "locked", "disabled", "suspended", "archived")


def _symbol(reference):
    module_name, _, name = reference.partition(":")
    value = importlib.import_module(module_name)
    for part in name.split("."):
        value = getattr(value, part)
    return value


def _user(model, hasher):
    """A user row with every column it needs, the project's hash of PASSWORD, and every
    `is_*` privilege flag set; returns it and the flags it holds."""
    from sqlalchemy import inspect as inspect_model

    mapper = inspect_model(model)
    values, flags = {}, []
    for column in mapper.columns:
        key = mapper.get_property_by_column(column).key
        name = key.lower()
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = None
        if "password" in name:
            values[key] = hasher(PASSWORD)
        elif "email" in name:
            values[key] = EMAIL
        elif kind is str and name in TENANT_COLUMNS:
            # A member of a tenant reaches the operations on tenant rows; without one,
            # every such request would stop at a 403.
            values[key] = TENANT
        elif kind is bool and name.startswith(("is_", "has_", "can_")):
            values[key] = not any(word in name for word in NEGATIVE_FLAGS)
            if values[key]:
                flags.append(key)
        elif not (
            column.primary_key
            or column.nullable
            or column.default is not None
            or column.server_default is not None
        ):
            values[key] = _sample(kind, name)
    return model(**values), flags


def _sample(kind, name):
    """A value for a required column backsmith knows nothing else about."""
    import datetime
    import uuid

    if kind is str:
        return USERNAME if "name" in name else "backsmith"
    if kind is int or kind is float:
        return kind(1)
    if kind is datetime.datetime:
        return datetime.datetime.now(datetime.UTC)
    if kind is datetime.date:
        return datetime.date.today()
    if kind is uuid.UUID:
        return uuid.uuid4()
    raise LookupError(f"cannot fill the required user column {name!r} ({kind})")


def _store(url, row):
    """Insert the user with a short-lived engine of its own: the app's engine must first
    connect inside the event loop that serves the requests."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool

    if make_url(url).get_dialect().is_async:
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

        async def store():
            engine = create_async_engine(url, poolclass=NullPool)
            async with AsyncSession(engine) as session:
                session.add(row)
                await session.commit()
            await engine.dispose()

        asyncio.run(store())
        return
    engine = create_engine(url, poolclass=NullPool)
    with Session(engine) as session:
        session.add(row)
        session.commit()
    engine.dispose()


def _resolve(document, node):
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        node = target
    return node if isinstance(node, dict) else {}


def _password_flow(document):
    """The tokenUrl of the OAuth2 password flow the document declares, and whether the API
    has security schemes at all."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        flow = ((scheme or {}).get("flows") or {}).get("password") or {}
        if scheme.get("type") == "oauth2" and flow.get("tokenUrl"):
            return flow["tokenUrl"], True
    return None, bool(schemes)


def _sign_in(document, token_url):
    """The project's own sign-in: POST tokenUrl with the body its operation documents."""
    from urllib.parse import urlsplit

    from schemathesis.python import asgi

    path = "/" + urlsplit(token_url).path.lstrip("/")
    operation = ((document.get("paths") or {}).get(path) or {}).get("post") or {}
    content = _resolve(document, operation.get("requestBody")).get("content") or {
        "application/x-www-form-urlencoded": {}
    }
    media = next(iter(content))
    fields = _resolve(document, content[media].get("schema")).get("properties") or {
        "username": {},
        "password": {},
    }
    attempts = []
    for login in (EMAIL, USERNAME):
        body = {}
        for field in fields:
            lower = field.lower()
            if "password" in lower:
                body[field] = PASSWORD
            elif lower in ("username", "email", "login", "user", "identifier"):
                body[field] = login
            elif lower == "grant_type":
                body[field] = "password"
        with asgi.get_client(state["asgi"]) as client:
            if "json" in media:
                response = client.post(path, json=body)
            else:
                response = client.post(path, data=body)
        token = None
        if response.status_code == 200:
            try:
                token = response.json().get("access_token")
            except ValueError:
                token = None
        if token:
            return token
        attempts.append(f"{response.status_code} {response.text[:300]}")
    raise RuntimeError(
        f"signing in with POST {path} ({media}) as the fuzzing user gave no access_token: "
        + "; ".join(attempts)
    )


def _setup_from_profile(url):
    app = _symbol(os.environ["BACKSMITH_FUZZ_APP"])
    if not hasattr(app, "openapi") and callable(app):
        app = app()
    state["app"] = app
    state["asgi"] = RecordingApp(app)
    state["openapi_url"] = getattr(app, "openapi_url", None) or "/openapi.json"
    document = app.openapi()
    token_url, secured = _password_flow(document)
    token = None
    if token_url:
        if os.environ.get("BACKSMITH_FUZZ_NO_USER"):
            results["skip"] = (
                f"the API signs in at {token_url}, but backsmith cannot make a user: "
                + os.environ["BACKSMITH_FUZZ_NO_USER"]
            )
            write_results()
            return
        row, flags = _user(
            _symbol(os.environ["BACKSMITH_FUZZ_USER_MODEL"]),
            _symbol(os.environ["BACKSMITH_FUZZ_HASHER"]),
        )
        results["roles"] = flags
        _store(url, row)
        token = _sign_in(document, token_url)
    elif secured:
        results["skip"] = (
            "the API has security schemes but no OAuth2 password flow (tokenUrl) that "
            "backsmith can sign in through"
        )
        write_results()
        return
    state["config"] = _config(token)
    write_results()


def _config(token):
    import schemathesis

    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Health checks judge the data generator's speed, not the API.
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            # Every check schemathesis has ("all"), with their default expectations, but one.
            # positive_data_acceptance wants every schema-valid request to succeed (or 401,
            # 403, 404, 409), and our contract makes some of them a 422 on purpose
            # (SPEC.md section 2, Relations: "Creating or updating with an id that does
            # not exist ... is a 422 on NAME_id"; section 3, Lists: the cursor is OPAQUE,
            # so a string the server never issued is malformed input, a 422). No JSON
            # Schema can say "an id that exists" or "a cursor we issued".
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"enabled": False},
                # Starlette answers a 405 with the methods of the first route matching the
                # path only; projects made by backsmith fix that in their 405 handler, which
                # another project cannot be expected to have: a framework quirk, not theirs.
                "allow_header_conformance": {"enabled": not os.environ.get("BACKSMITH_FUZZ_APP")},
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True},
            },
            "generation": {
                "mode": "all",  # valid and invalid data
                "max-examples": MAX_EXAMPLES,
                "database": "none",  # nothing is stored between runs, nothing in the project
            },
        }
    )


def load_schema():
    import schemathesis

    if results.get("skip"):
        return None
    url = state.get("openapi_url", "/openapi.json")
    return schemathesis.openapi.from_asgi(url, state["asgi"], config=state["config"])


def teardown():
    write_results()


# --- recording ---------------------------------------------------------------------------


def _operation(case):
    return f"{case.operation.method.upper()} {case.operation.path}"


def _record(case, response, failures):
    request_headers = dict(response.request.headers) if response is not None else {}
    try:
        curl = case.as_curl_command(headers=request_headers)
    except Exception:
        curl = f"{_operation(case)} (the request could not be rendered as curl)"
    error, state["asgi"].last_error = state["asgi"].last_error, None
    for failure in failures:
        check = getattr(failure, "checks", ()) or (type(failure).__name__,)
        key = f"{_operation(case)}|{type(failure).__name__}|{failure.title}"
        entry = {
            "operation": _operation(case),
            "check": check[0],
            "code": getattr(failure, "code", ""),
            "title": failure.title,
            "message": failure.message,
            "status": response.status_code if response is not None else None,
            "response": response.text[:2000] if response is not None else None,
            "curl": curl,
            "traceback": error,
            "phase": case.meta.phase.name.value if case.meta is not None else None,
            "count": 1,
        }
        known = results["failures"].get(key)
        if known is not None:
            entry["count"] = known["count"] + 1
            if len(known["curl"]) <= len(curl):  # keep the shortest reproduction
                known["count"] = entry["count"]
                continue
        results["failures"][key] = entry
    write_results()


def _count(case, stateful=False):
    results["examples"] += 1
    if stateful:
        results["stateful_steps"] += 1
    label = _operation(case)
    if label not in results["operations"]:
        results["operations"].append(label)


def _unexpected(case, error):
    """An exception outside the checks (the transport, the harness): a failure of its own."""
    from schemathesis.core.failures import Failure

    failure = Failure(
        operation=_operation(case),
        title=f"Unexpected {type(error).__name__}",
        message="".join(traceback.format_exception(error))[-3000:],
    )
    _record(case, None, [failure])


def call_and_check(case):
    """Send one case and run every check on the answer; failures are recorded, not raised."""
    from schemathesis.core.failures import FailureGroup

    _count(case)
    state["asgi"].last_error = None
    try:
        response = case.call()
    except Exception as error:
        _unexpected(case, error)
        return
    try:
        case.validate_response(response, transport_kwargs={})
    except FailureGroup as group:
        _record(case, response, group.exceptions)
    except Exception as error:
        _unexpected(case, error)


def run_stateful(schema):
    import hypothesis
    from schemathesis.core.failures import FailureGroup

    from schemathesis.core.errors import NoLinksFound

    try:
        base = schema.as_state_machine()
        base()  # schemathesis refuses a machine without links here, before Hypothesis runs
    except NoLinksFound:
        results["stateful"] = "no links between operations: nothing to chain"
        write_results()
        return

    class Machine(base):
        def step(self, input):
            _count(input.case, stateful=True)
            return super().step(input)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                super().validate_response(response, case, additional_checks, **kwargs)
            except FailureGroup as group:
                _record(case, response, group.exceptions)

    settings = hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        database=None,
        deadline=None,
        derandomize=True,  # the stateful phase has no schemathesis seed: fix Hypothesis's own
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    # Scenarios change the database, so replaying a choice sequence can draw differently
    # (a bundle has other rows now) and Hypothesis calls that flaky. schemathesis's own
    # runner ends the suite there; so does this one, after a couple of fresh starts.
    for _attempt in range(3):
        try:
            Machine.run(settings=settings)
            return
        except BaseException as error:
            if not _is_flaky(error):
                raise
            results["stateful_restarts"] += 1
            write_results()


def _is_flaky(error):
    from hypothesis.errors import Flaky

    if isinstance(error, Flaky):
        return True
    if not isinstance(error, AssertionError):
        return False
    # Hypothesis asserts, rather than raising Flaky, when a replay draws past an old value.
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and frame.tb_frame.f_globals.get("__name__", "").startswith(
        "hypothesis.internal.conjecture"
    )


def record_test_report(report):
    """A test that failed or errored outside the checks (generation, a crash): an error."""
    if report.failed:
        when = getattr(report, "when", "collect")
        results["errors"].append(
            {"test": report.nodeid, "when": when, "detail": str(report.longrepr)[-4000:]}
        )
        write_results()
'''


def _write_suite(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "ini": directory / "pytest.ini",
        "conftest": directory / "conftest.py",
        "harness": directory / "backsmith_fuzz.py",
        "tests": directory / "test_backsmith_fuzz.py",
    }
    files["ini"].write_text(_PYTEST_INI, encoding="utf-8")
    files["conftest"].write_text(_CONFTEST, encoding="utf-8")
    files["harness"].write_text(_HARNESS, encoding="utf-8")
    files["tests"].write_text(_TEST_MODULE, encoding="utf-8")
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

    directory = context.scratch / "fuzz"
    files = _write_suite(directory)
    results_path = directory / "results.json"
    env: dict[str, str | None] = {
        "BACKSMITH_FUZZ_PROJECT": str(context.root),
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
    if not profile.made_by_backsmith:
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
            if not profile.made_by_backsmith:
                # The app reads its URL when it is imported: the variable its settings read.
                url = (
                    project_url(profile, url) if url else sqlite_url(profile, directory / "fuzz.db")
                )
                env.update(database_env(profile, url))
            env["BACKSMITH_FUZZ_DATABASE_URL"] = url
            run = context.run(
                [
                    "python",
                    "-m",
                    "pytest",
                    str(files["tests"]),
                    "-c",
                    str(files["ini"]),
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
    }
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
            f"{len(failures)} failure(s) over {operations} operations, "
            f"{figures['examples']} requests",
            figures=figures,
            failures=failures,
        )
    return result(
        Status.PASSED,
        f"{operations} operations, {figures['examples']} requests, every check passed",
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
