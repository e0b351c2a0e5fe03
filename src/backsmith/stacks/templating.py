"""The Jinja environment every blueprint renders Python source with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2


def source_environment(
    templates: Path, filters: dict[str, Callable[..., Any]] | None = None
) -> jinja2.Environment:
    """Templates under `templates`, strict about undefined names, `pyrepr` among the filters."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - renders Python source, not HTML
    )
    environment.filters["pyrepr"] = repr
    environment.filters.update(filters or {})
    return environment
