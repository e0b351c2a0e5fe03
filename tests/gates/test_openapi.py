"""The OpenAPI gate: valid 3.1, every status the contract implies documented, as problem+json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from backsmith.gates.model import Status
from backsmith.gates.openapi import contract_failures, validation_failures
from tests.gates.conftest import RunGate


def test_a_generated_project_passes(project: Path, run_gate: RunGate) -> None:
    result = run_gate("openapi", project)
    assert result.status is Status.PASSED, result.failures
    # auth (register, token, me) + the five operations of Note, on /auth/* and two paths.
    assert result.figures["operations"] == 8
    assert result.figures["paths"] == 5
    assert int(result.figures["schemas"]) >= 5
    assert not list(project.rglob("__pycache__")), "building the document left bytecode"
    assert not list(project.glob("*.db")), "building the document touched a database"


def test_a_route_that_no_longer_documents_404_fails_naming_it(
    project: Path, run_gate: RunGate
) -> None:
    router = project / "app/notes/router.py"
    source = router.read_text()
    get_one = re.compile(
        r'(@router\.get\(\s*"/notes/\{note_id\}".*?problem_responses\([^)]*?)404, ', re.DOTALL
    )
    broken, replaced = get_one.subn(r"\1", source, count=1)
    assert replaced == 1, "the generated router changed shape; update this test"
    router.write_text(broken)

    result = run_gate("openapi", project)

    assert result.status is Status.FAILED
    assert [(f.location, f.message) for f in result.failures] == [
        (
            "GET /notes/{note_id}",
            "does not document 404 (it has a path parameter: a missing row is a 404)",
        )
    ]


def test_an_app_that_does_not_import_is_an_error_naming_where(
    project: Path, run_gate: RunGate
) -> None:
    service = project / "app/notes/service.py"
    lines = service.read_text().splitlines()
    service.write_text("\n".join([*lines, "import backsmith_no_such_module", ""]))

    result = run_gate("openapi", project)

    assert result.status is Status.ERROR
    [failure] = result.failures
    assert failure.message == (
        "the app does not import: ModuleNotFoundError: No module named 'backsmith_no_such_module'"
    )
    assert failure.location == f"app/notes/service.py:{len(lines) + 1}"
    assert failure.detail and "Traceback" in failure.detail


# The rules on documents built here: each one derived from the operation, not its name.

PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}


def _document(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **top}


def _ok(status: str = "200") -> dict[str, Any]:
    return {status: {"description": "ok"}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "error", "content": PROBLEM} for s in statuses}


def _problems(document: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(f.location, f.message) for f in contract_failures(document)]


def test_rules_follow_parameters_bodies_and_security() -> None:
    json_body = {"content": {"application/json": {"schema": {"type": "object"}}}}
    form_body: dict[str, Any] = {"content": {"application/x-www-form-urlencoded": {"schema": {}}}}
    document = _document(
        {
            "/reports": {
                "post": {"requestBody": json_body, "responses": _ok()},
                "get": {
                    "parameters": [{"name": "q", "in": "query", "schema": {}}],
                    "security": [{"bearer": []}],
                    "responses": {**_ok(), **_errors(401, 422)},
                },
            },
            "/login": {"post": {"requestBody": form_body, "responses": {**_ok(), **_errors(422)}}},
            "/health": {"get": {"security": [{}], "responses": _ok()}},
        }
    )
    assert _problems(document) == [
        (
            "POST /reports",
            "does not document 422 (it takes parameters or a body: invalid input is a 422)",
        ),
        ("POST /reports", "does not document 400 (it takes a JSON body: malformed JSON is a 400)"),
    ]


def test_document_wide_security_and_path_level_parameters_count() -> None:
    document = _document(
        {
            "/files/{name}.txt": {
                "parameters": [{"$ref": "#/components/parameters/Name"}],
                "get": {"responses": _ok()},
            }
        },
        security=[{"bearer": []}],
        components={"parameters": {"Name": {"name": "name", "in": "path", "required": True}}},
    )
    assert {message.split(" (")[0] for _, message in _problems(document)} == {
        "does not document 422",
        "does not document 401",
        "does not document 404",
    }


def test_collections_create_with_201_and_items_delete_with_204() -> None:
    item = {"delete": {"responses": {"200": {"description": "ok"}, **_errors(404, 422)}}}
    document = _document(
        {
            "/tags": {"post": {"responses": _ok()}},
            "/tags/{tag_id}": {"parameters": [{"name": "tag_id", "in": "path"}], **item},
            "/auth/token": {"post": {"responses": _ok()}},  # an action: no item path, no 201
        }
    )
    assert _problems(document) == [
        (
            "POST /tags",
            "does not document 201 (it creates in the collection /tags: a created row is a 201)",
        ),
        (
            "DELETE /tags/{tag_id}",
            "does not document 204 (it deletes an item of the collection /tags: that is a 204)",
        ),
    ]


def test_errors_must_be_problem_json_and_a_range_documents_its_class() -> None:
    document = _document(
        {
            "/things/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path"}],
                    "responses": {
                        **_ok(),
                        "4XX": {"description": "client error", "content": PROBLEM},
                        "409": {"description": "conflict", "content": {"application/json": {}}},
                        "500": {"description": "boom"},
                    },
                }
            }
        }
    )
    assert _problems(document) == [
        (
            "GET /things/{id}",
            "documents 409 as application/json: errors are served as "
            "application/problem+json only (RFC 9457 problem details)",
        ),
        (
            "GET /things/{id}",
            "documents 500 without a body: errors are application/problem+json problem details",
        ),
    ]


def test_an_invalid_document_is_reported_where_it_is_wrong() -> None:
    document = _document({"/x": {"get": {"responses": {"200": {"description": 5}}}}})
    [failure] = validation_failures(document)
    assert failure.location == "GET /x"
    assert failure.message == 'invalid OpenAPI 3.1: 5 is not of type "string"'
    assert failure.detail == "#/paths/~1x/get/responses/200/description"
    assert validation_failures(_document({"/x": {"get": {"responses": _ok()}}})) == []
    dangling = _document({"/x": {"get": {"responses": {"200": {"$ref": "#/nowhere"}}}}})
    assert [f.message for f in validation_failures(dangling)] == [
        "invalid OpenAPI 3.1: PointerToNowhere: '/nowhere' does not exist"
    ]


def test_the_document_is_the_served_apps_with_a_route_added_after_create_app(
    served_route: Path, run_gate: RunGate
) -> None:
    result = run_gate("openapi", served_route)

    assert result.figures["app"] == "app.main:app"
    assert result.figures["operations"] == 9
    # Hand-written, the route documents neither its 404 nor its errors as problem details.
    assert "GET /lucky/{n}" in {f.location for f in result.failures}


def test_a_main_module_without_an_app_is_proved_through_create_app_and_says_so(
    project: Path, run_gate: RunGate
) -> None:
    main = project / "app/main.py"
    main.write_text(main.read_text().replace("\napp = create_app()\n", "\n"))

    result = run_gate("openapi", project)

    assert result.status is Status.PASSED, result.failures
    assert result.figures["app"] == "app.main:create_app() (app.main has no module-level `app`)"
    assert result.figures["operations"] == 8
