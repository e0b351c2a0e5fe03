"""Helpers for spec tests: each test writes the small document it needs into tmp_path."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from backsmith.errors import SpecError
from backsmith.spec import load_feature
from backsmith.spec.model import FeatureSpec

# A one-field document: the field line is line 5 and its name starts at column 7.
ONE_FIELD = """\
feature: shop
entities:
  Item:
    fields:
      {line}
"""


@dataclass
class Failure:
    error: SpecError

    @property
    def where(self) -> str:
        """`file:line:column` with the file's base name, e.g. `feature.yaml:5:10`."""
        location = self.error.location
        assert location is not None, f"no location in: {self.error}"
        return f"{Path(location.file).name}:{location.line}:{location.column}"

    @property
    def message(self) -> str:
        return self.error.message

    @property
    def hint(self) -> str:
        return self.error.hint or ""


Write = Callable[..., Path]
Load = Callable[..., FeatureSpec]
Fail = Callable[..., Failure]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    def write(text: str, name: str = "feature.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write: Write) -> Load:
    def load(text: str, name: str = "feature.yaml") -> FeatureSpec:
        return load_feature(write(text, name))

    return load


@pytest.fixture
def fail(write: Write) -> Fail:
    def fail(text: str, name: str = "feature.yaml") -> Failure:
        with pytest.raises(SpecError) as info:
            load_feature(write(text, name))
        assert "\n" not in str(info.value), "errors are one line"
        return Failure(info.value)

    return fail


@pytest.fixture
def field_fails(fail: Fail) -> Callable[[str], Failure]:
    """The failure of a document whose only field is `line` (at line 5, column 7)."""

    def field_fails(line: str) -> Failure:
        return fail(ONE_FIELD.format(line=line))

    return field_fails
