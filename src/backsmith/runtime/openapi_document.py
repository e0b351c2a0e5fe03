"""Build the app's OpenAPI document, in the project's interpreter (the openapi gate).

`python openapi_document.py OUTPUT FAILURE MODULE ATTRIBUTE`: imports MODULE and writes to
OUTPUT the document of the app ATTRIBUTE names (the app, or a factory that makes it) and
which app that was, or to FAILURE a structured account of why it could not (stage,
message, location in the project, traceback), so the gate never parses a traceback. A
module without ATTRIBUTE but with a `create_app()` has its app made by that, and says so.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any


def account(error: BaseException, stage: str) -> dict[str, Any]:
    """Why building failed: the stage, the message, and where in the project's own code."""
    root = os.getcwd() + os.sep

    def place(filename: str, line: int | None) -> str:
        shown = filename[len(root) :] if filename.startswith(root) else filename
        return f"{shown}:{line}"

    frames = traceback.extract_tb(error.__traceback__)
    own = [
        frame
        for frame in frames
        if frame.filename.startswith(root) and "site-packages" not in frame.filename
    ]
    where = own[-1] if own else (frames[-1] if frames else None)
    location = place(where.filename, where.lineno) if where else None
    if isinstance(error, SyntaxError) and error.filename:
        location = place(error.filename, error.lineno)
    return {
        "stage": stage,
        "message": traceback.format_exception_only(type(error), error)[-1].strip(),
        "location": location,
        "traceback": "".join(traceback.format_exception(error)),
    }


def main(output: str, failure: str, module_name: str, attribute: str) -> int:
    stage = "import"
    try:
        module = importlib.import_module(module_name)
        application = getattr(module, attribute, None)
        served = f"{module_name}:{attribute}"
        if application is None and callable(getattr(module, "create_app", None)):
            stage = "create_app"
            served = f"{module_name}:create_app() ({module_name} has no module-level `{attribute}`)"
            application = module.create_app()
        elif application is None:
            raise LookupError(f"{module_name} has no `{attribute}`")
        elif not hasattr(application, "openapi") and callable(application):
            stage = "create_app"  # a factory, as `uvicorn --factory` serves it
            application = application()
        stage = "openapi"
        document = application.openapi()
        with open(output, "w", encoding="utf-8") as stream:
            json.dump({"app": served, "document": document}, stream)
    except BaseException as error:
        with open(failure, "w", encoding="utf-8") as stream:
            json.dump(account(error, stage), stream)
        return 1
    return 0


if __name__ == "__main__":
    sys.path[0] = os.getcwd()  # the project, where `python -c` would have put it
    sys.exit(main(*sys.argv[1:5]))
