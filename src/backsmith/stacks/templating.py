"""The Jinja environment every blueprint renders Python source with."""

from __future__ import annotations

import contextlib
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
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters["pyrepr"] = repr
    environment.filters.update(filters or {})
    return environment


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that is only ever a shortcut: a write that fails is a compile next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja's per-user temp directory).

    Compiling the templates was most of the rendering time of every command; Jinja checks
    each cached entry against the template's source, so an edited template recompiles.
    """
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):  # no private, writable temp directory
        return None
