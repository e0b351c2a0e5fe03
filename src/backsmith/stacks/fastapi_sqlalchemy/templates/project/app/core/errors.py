"""Domain errors and their one rendering: RFC 9457 problem details.

Services raise these; no route translates errors by hand. `install_error_handlers`
registers the handlers, and `problem_responses` documents them on each route so the
OpenAPI document lists every status a route can answer.
"""

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# HTTPStatus names 422 differently across Python versions; the number is the contract.
UNPROCESSABLE = HTTPStatus(422)


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FieldError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationProblem(Problem):
    errors: list[FieldError]


class DomainError(Exception):
    """A failure the client caused or must know about; `status` is its HTTP status."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    headers: dict[str, str] | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotAuthenticated(DomainError):
    status = HTTPStatus.UNAUTHORIZED
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012 - read-only class constant


class Forbidden(DomainError):
    status = HTTPStatus.FORBIDDEN


class NotFound(DomainError):
    status = HTTPStatus.NOT_FOUND

    def __init__(self, resource: str, key: object) -> None:
        super().__init__(f"{resource} {key} not found")


class Conflict(DomainError):
    status = HTTPStatus.CONFLICT


class PreconditionFailed(DomainError):
    """412: the If-Match ETag is no longer the row's (someone changed it meanwhile)."""

    status = HTTPStatus.PRECONDITION_FAILED


class PreconditionRequired(DomainError):
    """428: a write to a versioned row came without If-Match."""

    status = HTTPStatus.PRECONDITION_REQUIRED


class InvalidInput(DomainError):
    """A 422 raised by a service, shaped like request validation errors."""

    status = UNPROCESSABLE

    def __init__(self, loc: Sequence[str | int], msg: str, error_type: str = "value_error") -> None:
        super().__init__(msg)
        self.errors = [FieldError(loc=list(loc), msg=msg, type=error_type)]


def problem(
    status: int,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    errors: list[FieldError] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [error.model_dump() for error in errors]
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    errors = exc.errors if isinstance(exc, InvalidInput) else None
    return problem(exc.status, exc.detail, headers=exc.headers, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    headers = exc.headers
    if exc.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers = {**(headers or {}), "Allow": _allowed_methods(request)}
    return problem(exc.status_code, str(exc.detail), headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method of the requested path, for a 405's `Allow` header (RFC 9110, 15.5.6).

    FastAPI makes one route per method, and Starlette's 405 names only the first route
    that matched the path: `OPTIONS /things` would advertise GET but not POST. So ask the
    router, method by method, which ones it would serve here.
    """
    allowed = []
    for method in _HTTP_METHODS:
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    raw = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in raw):
        return problem(HTTPStatus.BAD_REQUEST, "The request body is not valid JSON.")
    errors = [
        FieldError(loc=list(error["loc"]), msg=str(error["msg"]), type=str(error["type"]))
        for error in raw
    ]
    return problem(UNPROCESSABLE, "The request is invalid.", errors=errors)


async def _unexpected_error(_request: Request, exc: Exception) -> JSONResponse:
    logger.exception("Unhandled error", exc_info=exc)
    return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred.")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)


_HEADERS: dict[int, dict[str, Any]] = {
    201: {"Location": {"description": "The URL of the new row.", "schema": {"type": "string"}}},
    401: {"WWW-Authenticate": {"description": "Always `Bearer`.", "schema": {"type": "string"}}},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry documenting each status a route can answer besides its own.

    Error statuses carry the problem schema; 201 and 401 also document their headers.
    """
    documented: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"description": HTTPStatus(status).phrase}
        if status >= 400:
            entry["model"] = ValidationProblem if status == 422 else Problem
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        documented[status] = entry
    return documented


# For routes any caller may use: a token is optional (an invalid one is still a 401).
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}, {"OAuth2PasswordBearer": []}]}


def use_problem_json_in_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are served as problem+json; say so in the OpenAPI document."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    response["content"] = {PROBLEM_JSON: content.pop("application/json")}
    return schema
