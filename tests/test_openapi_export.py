"""`export_openapi`: the app's document as JSON, and TypeScript types made by openapi-typescript."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backsmith.errors import StepFailed
from backsmith.openapi_export import export_openapi

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("clinic")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "backsmith",
            "new",
            "demo",
            "-C",
            str(parent),
            "--feature",
            str(REPO / "examples/clinic.md"),
        ],
        check=True,
        capture_output=True,
    )
    return parent / "demo"


def test_the_document_is_written_as_json(clinic: Path, tmp_path: Path) -> None:
    out = tmp_path / "api" / "openapi.json"
    result = export_openapi(clinic, out, None)
    assert result.out == out and result.typescript is None
    document = json.loads(out.read_text())
    assert out.read_text() == result.text
    assert document["openapi"].startswith("3.1")
    assert {"/doctors", "/doctors/{doctor_id}", "/auth/token"} <= set(document["paths"])
    assert result.operations == sum(len(item) for item in document["paths"].values())


def test_without_a_file_the_document_is_returned_for_the_caller(clinic: Path) -> None:
    result = export_openapi(clinic, None, None)
    assert result.out is None
    assert "/appointments/{appointment_id}" in json.loads(result.text)["paths"]


@pytest.mark.skipif(shutil.which("npx") is None, reason="needs npx (Node.js)")
def test_typescript_types_are_generated_through_npx(clinic: Path, tmp_path: Path) -> None:
    result = export_openapi(clinic, None, tmp_path / "client")
    assert result.typescript == tmp_path / "client" / "schema.d.ts"
    types = result.typescript.read_text()
    assert "export interface paths {" in types
    assert '"/doctors": {' in types and '"/doctors/{doctor_id}": {' in types
    assert "doctor_id: number;" in types  # the path parameter is typed from the document
    assert (result.openapi_typescript_version or "").startswith("7.")
    readme = (tmp_path / "client" / "README.md").read_text()
    assert "openapi-fetch" in readme and 'client.GET("/doctors/{doctor_id}"' in readme


def test_a_missing_npx_is_a_clear_error(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backsmith.openapi_export.shutil.which", lambda name: None)
    with pytest.raises(StepFailed, match="`npx` was not found") as raised:
        export_openapi(clinic, None, tmp_path / "client")
    assert "install Node.js" in str(raised.value)


def test_a_failing_npm_is_a_clear_error(
    clinic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "npx"
    fake.write_text("#!/bin/sh\necho 'npm error code E404' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    with pytest.raises(StepFailed, match=r"openapi-typescript@7 failed: npm error code E404"):
        export_openapi(clinic, None, tmp_path / "client")


def test_an_app_that_does_not_import_is_a_clear_error(clinic: Path, tmp_path: Path) -> None:
    broken = tmp_path / "demo"
    shutil.copytree(clinic, broken)
    (broken / "app/main.py").write_text("raise RuntimeError('no app today')\n")
    with pytest.raises(StepFailed, match="RuntimeError: no app today") as raised:
        export_openapi(broken, tmp_path / "openapi.json", None)
    assert "app/main.py:1" in str(raised.value)
    assert not (tmp_path / "openapi.json").exists()
