"""backsmith fuzz harness: state, set-up and the recording of failures.

Copied into the fuzz gate's scratch directory as `backsmith_fuzz.py`, beside the suite
(`fuzz_suite.py`, `fuzz_conftest.py`), and run by pytest in the project's interpreter.
Configured through the environment by the gate (BACKSMITH_FUZZ_*). Results go to
$BACKSMITH_FUZZ_RESULTS as JSON; check failures are recorded and the run goes on, so one
run reports every distinct failure, each with the shortest request that shows it.

The app fuzzed is the one the project serves (BACKSMITH_FUZZ_APP, `module:attribute`),
imported with the scratch database already in the variable the project's settings read:
a route added after `app = create_app()` is fuzzed like every other.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import os
import pkgutil
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hypothesis.configuration

if TYPE_CHECKING:
    import pytest
    import schemathesis
    from schemathesis import Case as AnyCase
    from schemathesis import Response
    from schemathesis.core.failures import Failure
    from schemathesis.generation.stateful.state_machine import (  # noqa: F401 - type comments
        StepInput,
    )
    from schemathesis.schemas import APIOperation, BaseSchema

    Case = AnyCase[APIOperation[Any, Any, Any, Any]]

# ASGI, spelled out as schemathesis spells it: the project may not use Starlette's types.
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROJECT = Path(os.environ["BACKSMITH_FUZZ_PROJECT"])
SCRATCH = Path(os.environ["BACKSMITH_FUZZ_SCRATCH"])
RESULTS = Path(os.environ["BACKSMITH_FUZZ_RESULTS"])
DATABASE_URL = os.environ["BACKSMITH_FUZZ_DATABASE_URL"]
APP = os.environ["BACKSMITH_FUZZ_APP"]
# Set for a project backsmith did not make: everything comes from its profile.
PROFILED = bool(os.environ.get("BACKSMITH_FUZZ_PROFILED"))
# The project's routes document no error response (the profile's `error_statuses`): a 4xx
# is not held against the document, while 5xx and every other check still are.
UNDOCUMENTED_ERRORS = bool(os.environ.get("BACKSMITH_FUZZ_UNDOCUMENTED_ERRORS"))
MAX_EXAMPLES = int(os.environ["BACKSMITH_FUZZ_EXAMPLES"])
SEED = int(os.environ["BACKSMITH_FUZZ_SEED"])

# Hypothesis keeps caches in `.hypothesis` under the working directory (the project).
hypothesis.configuration.set_hypothesis_home_dir(SCRATCH / "hypothesis")
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))


@dataclasses.dataclass
class State:
    """What set-up made, for the test module and the recording."""

    asgi: RecordingApp | None = None
    config: schemathesis.Config | None = None
    openapi_url: str = "/openapi.json"


state = State()
results: dict[str, Any] = {
    "schemathesis": None,
    "database": None,
    "app": None,
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


def write_results() -> None:
    data = dict(results, failures=list(results["failures"].values()))
    RESULTS.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def _recorder() -> RecordingApp:
    if state.asgi is None:
        raise RuntimeError("the fuzz harness was not set up")
    return state.asgi


# --- set-up ------------------------------------------------------------------------------


def _migrate(url: str) -> None:
    """Every migration, as the project's tests apply them."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def every_role() -> list[str]:
    """Every role any access rule of the app names, plus `admin` (which always exists).

    Read from the `EntityAccess` objects of each feature's service module rather than from
    the feature documents or the OpenAPI document: they are what the routes enforce, so a
    user holding all of them passes every role check, whatever the spec said.
    """
    import app as package  # type: ignore[import-not-found]  # the generated project's
    from app.core.access import (  # type: ignore[import-not-found]
        EntityAccess,
        Rule,
    )

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


async def _create_user(settings: Any, roles: list[str]) -> str:
    """The fuzzing user, made with a short-lived engine of its own; returns its token.

    (The app's engine must first connect inside the event loop that serves the requests.)
    """
    from app.auth.models import User  # type: ignore[import-not-found]
    from app.core.db import (  # type: ignore[import-not-found]
        create_engine,
        create_sessionmaker,
    )
    from app.core.security import (  # type: ignore[import-not-found]
        create_access_token,
        hash_password,
    )

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
            return str(create_access_token(user.id, settings))
    finally:
        await engine.dispose()


class RecordingApp:
    """The app, unchanged, except that an exception escaping it is kept, not re-raised.

    Starlette has already answered such a request with a 500 before re-raising; swallowing
    the exception here lets schemathesis see that 500 (and report it with the request),
    and the traceback goes into the report.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last_error: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watch(message: Message) -> None:
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


def setup() -> None:
    try:
        import schemathesis

        results["schemathesis"] = schemathesis.__version__
        results["database"] = "postgresql" if DATABASE_URL.startswith("postgresql") else "sqlite"
        _migrate(DATABASE_URL)
        if PROFILED:
            _setup_from_profile(DATABASE_URL)
            return
        app, settings = _served_app(DATABASE_URL)
        roles = every_role()
        results["roles"] = roles
        token = asyncio.run(_create_user(settings, roles))
        state.asgi = RecordingApp(app)
        state.config = _config(token)
    except BaseException:
        results["setup_error"] = traceback.format_exc()
        write_results()
        teardown()
        raise
    write_results()


def _served_app(url: str) -> tuple[Any, Any]:
    """The app the project serves (`app.main:app`) and its settings, reading `url`.

    The gate put `url` in DATABASE_URL before this process started, which is what the
    module-level app's settings read. Only a module without that app gets one made here,
    by `create_app(Settings(...))` as the project's tests make theirs, and says so.
    """
    module_name, _, attribute = APP.partition(":")
    module = importlib.import_module(module_name)
    app = getattr(module, attribute, None)
    if app is not None and not hasattr(app, "openapi") and callable(app):
        app = app()  # a factory, as `uvicorn --factory` serves it
    if app is None and not callable(getattr(module, "create_app", None)):
        raise LookupError(f"{module_name} has neither `{attribute}` nor `create_app()`")
    if app is None:
        from app.core.config import Settings  # type: ignore[import-not-found]

        results["app"] = (
            f"{module_name}:create_app() ({module_name} has no module-level `{attribute}`)"
        )
        settings = Settings(database_url=url, environment="test")
        return module.create_app(settings), settings
    results["app"] = APP
    settings = getattr(getattr(app, "state", None), "settings", None)
    if settings is None:
        from app.core.config import get_settings

        settings = get_settings()
    if settings.database_url != url:
        raise RuntimeError(
            f"{APP} uses the database {settings.database_url!r}, not the scratch database in "
            "DATABASE_URL: fuzzing it would write into a database backsmith does not own"
        )
    return app, settings


# --- set-up for a project backsmith did not make (see backsmith/gates/fuzz_profile.py) ----

EMAIL = "fuzzer@example.com"
USERNAME = "backsmith-fuzzer"
PASSWORD = "Fuzzing-password-0123456789"  # noqa: S105 - the scratch user's, made here
# Columns naming the tenant (organization) a user belongs to: the fuzzing user gets one.
TENANT_COLUMNS = ("tenant", "tenant_id", "organization", "org")
TENANT = "backsmith-fuzz"
# Flags that take a privilege away: the fuzzing user keeps these false.
NEGATIVE_FLAGS = ("deleted", "banned", "blocked", "locked", "disabled", "suspended", "archived")


def _symbol(reference: str) -> Any:
    module_name, _, name = reference.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in name.split("."):
        value = getattr(value, part)
    return value


def _user(model: Any, hasher: Callable[[str], Any]) -> tuple[Any, list[str]]:
    """A user row with every column it needs, the project's hash of PASSWORD, and every
    `is_*` privilege flag set; returns it and the flags it holds."""
    from sqlalchemy import inspect as inspect_model

    mapper = inspect_model(model)
    values: dict[str, Any] = {}
    flags: list[str] = []
    for column in mapper.columns:
        key = mapper.get_property_by_column(column).key
        name = key.lower()
        kind: type | None
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


def _sample(kind: type | None, name: str) -> object:
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


def _store(url: str, row: object) -> None:
    """Insert the user with a short-lived engine of its own: the app's engine must first
    connect inside the event loop that serves the requests."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.orm import Session
    from sqlalchemy.pool import NullPool

    if make_url(url).get_dialect().is_async:
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

        async def store() -> None:
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


def _resolve(document: dict[str, Any], node: Any) -> dict[str, Any]:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        node = target
    return node if isinstance(node, dict) else {}


def _password_flow(document: dict[str, Any]) -> tuple[str | None, bool]:
    """The tokenUrl of the OAuth2 password flow the document declares, and whether the API
    has security schemes at all."""
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        flow = ((scheme or {}).get("flows") or {}).get("password") or {}
        if scheme.get("type") == "oauth2" and flow.get("tokenUrl"):
            return str(flow["tokenUrl"]), True
    return None, bool(schemes)


def _sign_in(document: dict[str, Any], token_url: str) -> str:
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
        with asgi.get_client(_recorder()) as client:
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
            return str(token)
        attempts.append(f"{response.status_code} {response.text[:300]}")
    raise RuntimeError(
        f"signing in with POST {path} ({media}) as the fuzzing user gave no access_token: "
        + "; ".join(attempts)
    )


def _setup_from_profile(url: str) -> None:
    app = _symbol(APP)
    if not hasattr(app, "openapi") and callable(app):
        app = app()
    results["app"] = APP
    state.asgi = RecordingApp(app)
    state.openapi_url = getattr(app, "openapi_url", None) or "/openapi.json"
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
    state.config = _config(token)
    write_results()


def _config(token: str | None) -> schemathesis.Config:
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
                "allow_header_conformance": {"enabled": not PROFILED},
                "status_code_conformance": {"enabled": not UNDOCUMENTED_ERRORS},
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


def load_schema() -> BaseSchema | None:
    import schemathesis

    if results.get("skip"):
        return None
    return schemathesis.openapi.from_asgi(state.openapi_url, _recorder(), config=state.config)


def teardown() -> None:
    write_results()


# --- recording ---------------------------------------------------------------------------


def _operation(case: Case) -> str:
    return f"{case.operation.method.upper()} {case.operation.path}"


def _record(case: Case, response: Response | None, failures: Sequence[Failure]) -> None:
    request_headers = dict(response.request.headers) if response is not None else {}
    try:
        curl = case.as_curl_command(headers=request_headers)
    except Exception:
        curl = f"{_operation(case)} (the request could not be rendered as curl)"
    recorder = _recorder()
    error, recorder.last_error = recorder.last_error, None
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


def _count(case: Case, stateful: bool = False) -> None:
    results["examples"] += 1
    if stateful:
        results["stateful_steps"] += 1
    label = _operation(case)
    if label not in results["operations"]:
        results["operations"].append(label)


def _unexpected(case: Case, error: Exception) -> None:
    """An exception outside the checks (the transport, the harness): a failure of its own."""
    from schemathesis.core.failures import Failure

    failure = Failure(
        operation=_operation(case),
        title=f"Unexpected {type(error).__name__}",
        message="".join(traceback.format_exception(error))[-3000:],
    )
    _record(case, None, [failure])


def call_and_check(case: Case) -> None:
    """Send one case and run every check on the answer; failures are recorded, not raised."""
    from schemathesis.core.failures import FailureGroup

    _count(case)
    _recorder().last_error = None
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


def run_stateful(schema: BaseSchema) -> None:
    import hypothesis
    from schemathesis.core.errors import NoLinksFound
    from schemathesis.core.failures import FailureGroup

    try:
        base = schema.as_state_machine()
        base()  # schemathesis refuses a machine without links here, before Hypothesis runs
    except NoLinksFound:
        results["stateful"] = "no links between operations: nothing to chain"
        write_results()
        return

    # Hypothesis seeds this phase (derandomize) from the source of Machine, comments left
    # out: its types are comments so that the requests stay those of the untyped original.
    class Machine(base):  # type: ignore[valid-type,misc]  # a class made at run time
        def step(self, input):  # type: (StepInput) -> Any
            _count(input.case, stateful=True)
            return super().step(input)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # type: (Response, Case, Any, Any) -> None
            try:
                super().validate_response(response, case, additional_checks, **kwargs)
            except FailureGroup as group:
                failures = [f for f in group.exceptions if not restores.explain(f, case)]
                if failures:
                    _record(case, response, failures)
            finally:
                restores.follow(case, response)

    restores = Deletions()  # (named in Machine's source, which seeds the phase: kept)
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


class Deletions:
    """What the stateful checks cannot know about deleting rows.

    schemathesis sees a read that succeeds after a DELETE as a use after free, and a 404
    from an operation on a row just created as a lost resource. Two contracts make those
    the API at work, not a defect; every other failure stands:
    - soft delete (docs/spec.md): `POST /things/{id}/restore` brings a deleted row back,
      and answers 404 for a live one;
    - `on_delete: cascade`: deleting a parent takes its children with it, so a row made
      and then gone after another row's DELETE may have gone with its parent (in another
      collection, or in its own for a tree).
    """

    RESTORE = "/restore"

    def __init__(self) -> None:
        self.restored: set[str] = set()  # rows (paths) restored since their last DELETE
        # For each collection rows were created in: the rows (paths) deleted since the
        # last creation there.
        self.deleted_since: dict[str, set[str]] = {}

    def follow(self, case: Case, response: Response) -> None:
        if not 200 <= response.status_code < 300:
            return
        method, path = case.operation.method.upper(), case.formatted_path
        if method == "DELETE":
            self.restored.discard(path)
            for deleted in self.deleted_since.values():
                deleted.add(path)
        elif method == "POST" and self._is_restore(case):
            self.restored.add(path.removesuffix(self.RESTORE))
        elif method == "POST":
            self.deleted_since[path] = set()

    def explain(self, failure: Exception, case: Case) -> bool:
        """Whether the failure is the deletion contract at work, not a defect."""
        from schemathesis.openapi.checks import EnsureResourceAvailability, UseAfterFree

        if isinstance(failure, UseAfterFree):
            _, _, deleted = failure.free.partition(" ")
            return deleted in self.restored
        if isinstance(failure, EnsureResourceAvailability):
            if self._is_restore(case):
                return True  # a live row has nothing to restore: 404
            row = case.formatted_path.rstrip("/")
            others = self.deleted_since.get(_collection(row), set()) - {row}
            return bool(others)  # a parent's DELETE may have cascaded to the row
        return False

    def _is_restore(self, case: Case) -> bool:
        operation = case.operation
        return operation.method.upper() == "POST" and operation.path.endswith("}" + self.RESTORE)


def _collection(path: str) -> str:
    """The collection a row's path is in: `/api/things` of `/api/things/7`."""
    return path.rstrip("/").rpartition("/")[0]


def _is_flaky(error: BaseException) -> bool:
    from hypothesis.errors import Flaky

    if isinstance(error, Flaky):
        return True
    if not isinstance(error, AssertionError):
        return False
    # Hypothesis asserts, rather than raising Flaky, when a replay draws past an old value.
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and str(frame.tb_frame.f_globals.get("__name__", "")).startswith(
        "hypothesis.internal.conjecture"
    )


def record_test_report(report: pytest.TestReport | pytest.CollectReport) -> None:
    """A test that failed or errored outside the checks (generation, a crash): an error."""
    if report.failed:
        when = getattr(report, "when", "collect")
        results["errors"].append(
            {"test": report.nodeid, "when": when, "detail": str(report.longrepr)[-4000:]}
        )
        write_results()
