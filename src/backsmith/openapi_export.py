"""`backsmith openapi`: the app's OpenAPI document, and TypeScript types generated from it.

The document is the one the OpenAPI gate checks, built the same way (in the project's
interpreter, against a scratch database). The TypeScript types come from
openapi-typescript, run through `npx` so that backsmith needs no Node.js packages of its
own; they are meant for openapi-fetch, whose client is typed by them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from backsmith.errors import StepFailed
from backsmith.gates.model import GateContext
from backsmith.gates.openapi import (
    OpenAPIBuildError,
    app_module,
    build_openapi_document,
    document_figures,
)
from backsmith.migrations import project_python
from backsmith.project.profile import load_profile

# The major version is pinned: a new major may change the shape of the generated types,
# which client code depends on. 7 is the current major (npm `latest`: 7.13.0, Nov. 2026).
OPENAPI_TYPESCRIPT = "openapi-typescript@7"
NPX_TIMEOUT_S = 600
_VERSION = re.compile(r"openapi-typescript\s+v?(\d+\.\d+\.\d+)")


class ExportResult(BaseModel):
    text: str  # the document as written (JSON); the caller prints it when `out` is None
    out: Path | None = None
    operations: int
    typescript: Path | None = None  # the generated `schema.d.ts`
    readme: Path | None = None
    openapi_typescript_version: str | None = None  # as openapi-typescript reported it


def export_openapi(project: Path, out: Path | None, typescript_dir: Path | None) -> ExportResult:
    """Write the app's OpenAPI document to `out` (or return it), and TypeScript types to
    `typescript_dir`; a StepFailed when the app or npm cannot produce them."""
    profile = load_profile(project)
    with tempfile.TemporaryDirectory(prefix="backsmith-openapi-") as scratch:
        context = GateContext(
            root=profile.root,
            profile=profile,
            python=project_python(profile.root),
            scratch=Path(scratch),
        )
        try:
            document = build_openapi_document(context)
        except OpenAPIBuildError as error:
            raise StepFailed(
                f"{profile.root}: the app could not build its OpenAPI document: {error}",
                hint=f"`python -c 'import {app_module(context)}'` in the project shows "
                "the whole traceback",
            ) from None
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        result = ExportResult(text=text, operations=int(document_figures(document)["operations"]))
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            result.out = out
        if typescript_dir is not None:
            source = out if out is not None else Path(scratch) / "openapi.json"
            if out is None:
                source.write_text(text, encoding="utf-8")
            result.typescript, result.openapi_typescript_version = _typescript(
                profile.root, source, typescript_dir
            )
            result.readme = typescript_dir / "README.md"
            result.readme.write_text(
                _readme(profile.name, document, result.openapi_typescript_version),
                encoding="utf-8",
            )
    return result


def _typescript(root: Path, source: Path, directory: Path) -> tuple[Path, str | None]:
    npx = shutil.which("npx")
    if npx is None:
        raise StepFailed(
            "`npx` was not found, and the TypeScript types are made by openapi-typescript "
            "through it",
            hint="install Node.js 18 or later (it brings npm and npx), or export the JSON "
            "alone with `-o FILE`",
        )
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "schema.d.ts"
    command = [npx, "--yes", OPENAPI_TYPESCRIPT, str(source.resolve()), "-o", str(target.resolve())]
    environment = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
    try:
        # In the project, so its own .npmrc (a registry mirror, a proxy) applies.
        completed = subprocess.run(
            command,
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=NPX_TIMEOUT_S,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise StepFailed(
            f"{OPENAPI_TYPESCRIPT} did not finish in {NPX_TIMEOUT_S}s",
            hint="check that the npm registry is reachable (`npm ping`)",
        ) from None
    except OSError as error:
        raise StepFailed(f"`npx` could not be started: {error}") from None
    output = completed.stdout + completed.stderr
    if completed.returncode != 0 or not target.is_file():
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit status {completed.returncode}"
        raise StepFailed(
            f"{OPENAPI_TYPESCRIPT} failed: {last}",
            hint="npx fetches it from the npm registry: check that it is reachable (`npm ping`)",
        )
    version = _VERSION.search(output)
    return target, version.group(1) if version else None


def _readme(name: str, document: dict[str, Any], version: str | None) -> str:
    path, method, parameters = _example_operation(document)
    generator = f"openapi-typescript {version}" if version else OPENAPI_TYPESCRIPT
    call = f'await client.{method.upper()}("{path}"{parameters});'
    return f"""# TypeScript types of the {name} API

`schema.d.ts` is generated by {generator} from the API's OpenAPI document.
Do not edit it: regenerate it with `backsmith openapi --typescript DIR` whenever the API
changes.

Use it with [openapi-fetch](https://openapi-ts.dev/openapi-fetch/), whose calls it types
(paths, parameters, bodies and responses):

```sh
npm install openapi-fetch
npm install -D typescript
```

```ts
import createClient from "openapi-fetch";
import type {{ paths }} from "./schema";

const client = createClient<paths>({{
  baseUrl: "http://localhost:8000",
  headers: {{ Authorization: `Bearer ${{token}}` }}, // from POST /auth/token
}});

const {{ data, error }} = {call}
// `error` is the RFC 9457 problem details body (type, title, status, detail).
```
"""


def _example_operation(document: dict[str, Any]) -> tuple[str, str, str]:
    """A GET with a path parameter if there is one (it shows how parameters are passed)."""
    paths = document.get("paths") or {}
    candidates = [(path, item["get"]) for path, item in paths.items() if "get" in (item or {})]
    for path, operation in candidates:
        names = re.findall(r"\{([^/{}]+)\}", path)
        if names:
            types = {
                parameter.get("name"): (parameter.get("schema") or {}).get("type")
                for parameter in operation.get("parameters") or []
            }
            values = ", ".join(
                f"{name}: {1 if types.get(name) in ('integer', 'number') else repr('...')}"
                for name in names
            )
            return path, "get", f", {{ params: {{ path: {{ {values} }} }} }}"
    if candidates:
        return candidates[0][0], "get", ""
    return "/", "get", ""
