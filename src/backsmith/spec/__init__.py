"""The spec stage: a feature document (PRP Markdown or YAML) in, a validated `FeatureSpec` out.

`load_feature` is the one entry point; `lint_feature` warns about what a valid document
says that its API will not do; `feature_json_schema` describes the document for editors
and for `backsmith schema`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from backsmith.errors import Location, SpecError
from backsmith.spec.lint import DocumentWarning, lint_feature
from backsmith.spec.load import load_document
from backsmith.spec.model import FeatureSpec
from backsmith.spec.parse import parse_document
from backsmith.spec.schema import feature_json_schema

__all__ = [
    "DocumentWarning",
    "FeatureSpec",
    "SpecError",
    "feature_json_schema",
    "lint_feature",
    "load_feature",
]


def load_feature(path: str | Path) -> FeatureSpec:
    """Read, check and convert a feature document; every user mistake is a `SpecError`."""
    document = load_document(path)
    try:
        return parse_document(document)
    except RecursionError:
        raise SpecError("the document is nested too deeply", Location(str(path), 1, 1)) from None
    except (ValidationError, KeyError, TypeError, ValueError, ArithmeticError) as exc:
        # The checks above should have caught every mistake before the IR is built; if one
        # slipped through, the user still gets a message instead of a traceback.
        raise SpecError(
            f"backsmith could not read this document ({type(exc).__name__}: {exc})",
            Location(str(path), 1, 1),
            hint="this is a bug in backsmith; please report it with the document",
        ) from exc
