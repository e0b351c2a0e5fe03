"""The OpenAPI gate: the app's own document is valid OpenAPI 3.1 and tells the whole truth.

The document is built by the app the project serves (`served_app.py`: `app.main:app`, or
what its run command names), in the project's interpreter (`runtime/openapi_document.py`),
against a scratch SQLite URL set the way the project reads it (`database.py`), so nothing
touches the project's database. It is then validated with openapi-spec-validator, and
every operation is checked against the HTTP contract (SPEC.md §3), which says that every
status a route can return is documented. The statuses an operation must document are
derived from the operation itself, never from names a project happens to use, so the
rules hold for any feature:

- a success (2xx) response, for every operation;
- 422 when it takes parameters (path, query, header or cookie, its own or its path's) or
  a request body: invalid input is a 422;
- 400 when its request body is JSON (`application/json` or `+json`): malformed JSON is a
  400;
- 401 when its effective security requirement (its own `security`, else the document's)
  names a scheme: a missing or bad token is a 401, even where a token is optional;
- 404 when its path has a parameter: a row that does not exist, or that the caller may not
  read, is a 404;
- 201 for POST on a collection path `P` whose item path `P/{param}` is in the document: it
  creates a row. The pairing is what makes `P` a collection, so actions such as
  `POST /auth/token` are not mistaken for creation;
- 204 for DELETE on an item path `P/{param}` whose collection `P` is in the document;
- every 4xx and 5xx response (exact or `4XX`/`5XX`) is `application/problem+json` and
  nothing else: errors are RFC 9457 problem details.

In a project not made by `backsmith new` the rules follow its own style
(`contract_options`): problem details only where its errors are problem details; the 400,
201 and 204 rules, which are the generated APIs' own, do not apply.

A range key (`4XX`) documents every status of its class; `default` documents none, since
a client cannot tell from it which statuses exist. 403 and 409 are not derived: whether a
route can refuse or conflict depends on access rules and constraints the document does
not show. 500 is never expected: nothing a client sends may produce one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator

from backsmith import runtime
from backsmith.errors import ProjectError
from backsmith.gates.database import database_env, sqlite_url
from backsmith.gates.model import Failure, GateContext, GateResult, Status, tail
from backsmith.gates.served_app import served_app
from backsmith.project.profile import ProjectProfile

MAX_FAILURES = 50
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PROBLEM_JSON = "application/problem+json"
_PARAMETER_SEGMENT = re.compile(r"^\{[^/{}]+\}$")
_TEMPLATE = re.compile(r"\{[^/{}]+\}")

_STAGES = {
    "import": "the app does not import",
    "create_app": "create_app() failed",
    "openapi": "app.openapi() failed",
}


class OpenAPIBuildError(Exception):
    """The app could not produce its OpenAPI document; says why and where."""

    def __init__(
        self, message: str, location: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.message} ({self.location})" if self.location else self.message


def app_module(context: GateContext) -> str:
    """The module holding the app the project serves."""
    return served_app(context.profile).module


def build_openapi_document(context: GateContext) -> dict[str, Any]:
    """The served app's OpenAPI document, built in the project's interpreter."""
    return build_served_document(context)[0]


def build_served_document(context: GateContext) -> tuple[dict[str, Any], str]:
    """The document of the app the project serves, and which app built it (`module:attr`,
    or the `create_app()` made in its place); OpenAPIBuildError if it cannot be built."""
    output = context.scratch / "openapi.json"
    failure = context.scratch / "openapi-failure.json"
    for stale in (output, failure):
        stale.unlink(missing_ok=True)
    try:
        app = served_app(context.profile)
    except ProjectError as error:
        raise OpenAPIBuildError(
            error.message, location="pyproject.toml", detail=error.hint
        ) from None
    url = sqlite_url(context.profile, context.scratch / "openapi.db")
    completed = context.run(
        [
            "python",
            runtime.script("openapi_document"),
            str(output),
            str(failure),
            app.module,
            app.attribute,
        ],
        env={
            **database_env(context.profile, url),
            # Building the document must leave no trace in the project, not even bytecode.
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        timeout=300,
    )
    if completed.returncode == 0 and output.is_file():
        built = _read_json(output)
        document = built.get("document") if isinstance(built, dict) else None
        if not isinstance(document, dict):
            raise OpenAPIBuildError("app.openapi() did not return a JSON object")
        return document, str(built.get("app"))
    account = _read_json(failure) if failure.is_file() else None
    if isinstance(account, dict):
        stage = _STAGES.get(str(account.get("stage")), "the app failed")
        raise OpenAPIBuildError(
            f"{stage}: {account.get('message')}",
            location=account.get("location"),
            detail=tail(str(account.get("traceback", ""))),
        )
    # The interpreter itself failed (missing, killed, timed out) before our script could answer.
    output_text = completed.stdout + completed.stderr
    last = tail(output_text, 1) or f"exit status {completed.returncode}"
    raise OpenAPIBuildError(
        f"the project's interpreter could not build the document: {last}",
        detail=tail(output_text),
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):  # cut short: the process was killed mid-write
        return None


def openapi_gate(context: GateContext) -> GateResult:
    started = time.perf_counter()
    try:
        document, app = build_served_document(context)
    except OpenAPIBuildError as error:
        return GateResult(
            name="openapi",
            status=Status.ERROR,
            duration_s=time.perf_counter() - started,
            summary=error.message,
            failures=[Failure(message=error.message, location=error.location, detail=error.detail)],
        )
    invalid = validation_failures(document)
    # A project whose routes document no error responses is not held to them: its
    # OpenAPI lists what each route returns when it succeeds, as its team writes it.
    documents_errors = context.profile.value("error_statuses") != "undocumented"
    undocumented = (
        contract_failures(document, **contract_options(context.profile)) if documents_errors else []
    )
    failures = invalid + undocumented
    figures = {**document_figures(document), "app": app}
    if failures:
        summary = (
            f"{len(invalid)} validation errors, {len(undocumented)} contract problems "
            f"in {figures['operations']} operations"
        )
    else:
        statuses = (
            "every status documented"
            if documents_errors
            else "error statuses left undocumented, as the project's routes leave them"
        )
        summary = (
            f"valid OpenAPI {document.get('openapi')}: {figures['operations']} operations on "
            f"{figures['paths']} paths, {figures['schemas']} schemas, {statuses}"
        )
    if len(failures) > MAX_FAILURES:
        hidden = len(failures) - MAX_FAILURES
        failures = [*failures[:MAX_FAILURES], Failure(message=f"... and {hidden} more")]
    return GateResult(
        name="openapi",
        status=Status.FAILED if failures else Status.PASSED,
        duration_s=time.perf_counter() - started,
        summary=summary,
        figures=figures,
        failures=failures,
    )


def document_figures(document: dict[str, Any]) -> dict[str, int | float | str]:
    paths = document.get("paths") or {}
    schemas = (document.get("components") or {}).get("schemas") or {}
    return {
        "operations": sum(1 for _ in _operations(document)),
        "paths": len(paths) if isinstance(paths, dict) else 0,
        "schemas": len(schemas) if isinstance(schemas, dict) else 0,
    }


def validation_failures(document: dict[str, Any]) -> list[Failure]:
    """Each way `document` is not valid OpenAPI 3.1, as a failure."""
    failures: list[Failure] = []
    try:
        for error in OpenAPIV31SpecValidator(document).iter_errors():
            path = list(error.absolute_path)
            failures.append(
                Failure(
                    message=f"invalid OpenAPI 3.1: {error.message.splitlines()[0]}",
                    location=_operation_of(path) or _pointer(path),
                    detail=_pointer(path),
                )
            )
    except Exception as error:  # an unresolvable $ref stops the validator itself
        # Its message goes on to quote the whole document ("... does not exist within {...}").
        text = str(error).split(" within ")[0].splitlines()[0][:300]
        failures.append(Failure(message=f"invalid OpenAPI 3.1: {type(error).__name__}: {text}"))
    return failures


def contract_options(profile: ProjectProfile) -> dict[str, bool]:
    """Which of the generated APIs' rules hold for this project's own style.

    Problem details are required where the project answers errors with them. The 400 for
    malformed JSON, the 201 on creation and the 204 on deletion are rules of the APIs
    backsmith generates: FastAPI itself answers malformed JSON with a 422 (which the 422
    rule covers), and a project may answer a deletion with a 200 and a message.
    """
    return {
        "problem_json": profile.value("errors") == "problem_json",
        "generated_statuses": profile.value("http_contract") == "generated",
    }


def contract_failures(
    document: dict[str, Any], *, problem_json: bool = True, generated_statuses: bool = True
) -> list[Failure]:
    """Each status an operation can return but does not document, and each error not
    documented as problem details; the rules are in the module docstring."""
    failures: list[Failure] = []
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        responses = _resolve(document, operation.get("responses")) or {}
        documented = {str(status) for status in responses}
        if not any(_covers(documented, status) for status in range(200, 300)):
            failures.append(Failure(message="documents no success (2xx) response", location=where))
        for status, reason in expected_statuses(document, path, method, operation):
            if status in (400, 201, 204) and not generated_statuses:
                continue
            if not _covers(documented, status):
                failures.append(
                    Failure(message=f"does not document {status} ({reason})", location=where)
                )
        for status, response in responses.items():
            if problem_json and str(status)[:1] in "45":
                problem = _problem_json_failure(str(status), _resolve(document, response))
                if problem:
                    failures.append(Failure(message=problem, location=where))
    return failures


def expected_statuses(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
) -> list[tuple[int, str]]:
    """The statuses SPEC.md §3 says this operation can return, each with the reason."""
    paths = document.get("paths") or {}
    expected: list[tuple[int, str]] = []
    parameters = [
        _resolve(document, parameter)
        for parameter in [
            *((_resolve(document, paths.get(path)) or {}).get("parameters") or []),
            *(operation.get("parameters") or []),
        ]
    ]
    body = _resolve(document, operation.get("requestBody"))
    if parameters or body:
        expected.append((422, "it takes parameters or a body: invalid input is a 422"))
    if body and any(_is_json(media) for media in (body.get("content") or {})):
        expected.append((400, "it takes a JSON body: malformed JSON is a 400"))
    security = operation.get("security", document.get("security")) or []
    if any(requirement for requirement in security):
        expected.append((401, "it has a security requirement: a missing or bad token is a 401"))
    segments = path.rstrip("/").split("/")
    is_item = bool(segments) and bool(_PARAMETER_SEGMENT.match(segments[-1]))
    if _TEMPLATE.search(path):
        expected.append((404, "it has a path parameter: a missing row is a 404"))
    if method == "post" and not is_item and _item_path_of(path, paths):
        expected.append((201, f"it creates in the collection {path}: a created row is a 201"))
    if method == "delete" and is_item:
        collection = "/".join(segments[:-1]) or "/"
        if collection in paths:
            expected.append(
                (204, f"it deletes an item of the collection {collection}: that is a 204")
            )
    return expected


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    paths = document.get("paths") or {}
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        resolved = _resolve(document, item)
        if not isinstance(resolved, dict):
            continue
        for method in METHODS:
            operation = resolved.get(method)
            if isinstance(operation, dict):
                yield str(path), method, operation


def _item_path_of(collection: str, paths: dict[str, Any]) -> str | None:
    prefix = collection.rstrip("/") + "/"
    return next(
        (
            path
            for path in paths
            if path.startswith(prefix) and _PARAMETER_SEGMENT.match(path[len(prefix) :])
        ),
        None,
    )


def _covers(documented: set[str], status: int) -> bool:
    return str(status) in documented or f"{str(status)[0]}XX" in {d.upper() for d in documented}


def _is_json(media_type: str) -> bool:
    essence = media_type.split(";")[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def _problem_json_failure(status: str, response: Any) -> str | None:
    if not isinstance(response, dict):
        return None
    media_types = sorted((response.get("content") or {}).keys())
    if not media_types:
        return f"documents {status} without a body: errors are {PROBLEM_JSON} problem details"
    if media_types != [PROBLEM_JSON]:
        return (
            f"documents {status} as {', '.join(media_types)}: errors are served as "
            f"{PROBLEM_JSON} only (RFC 9457 problem details)"
        )
    return None


def _resolve(document: dict[str, Any], node: Any, depth: int = 0) -> Any:
    """`node`, or what its local `$ref` points at (refs to other files are left as they are)."""
    if not isinstance(node, dict) or depth > 20:
        return node
    reference = node.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return node
    target: Any = document
    for part in reference[2:].split("/"):
        key = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, dict) or key not in target:
            return None  # a dangling reference; the validator reports it
        target = target[key]
    return _resolve(document, target, depth + 1)


def _operation_of(path: list[Any]) -> str | None:
    if len(path) >= 3 and path[0] == "paths" and str(path[2]) in METHODS:
        return f"{str(path[2]).upper()} {path[1]}"
    return None


def _pointer(path: list[Any]) -> str:
    return "#/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)
