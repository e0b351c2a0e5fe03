"""Random feature documents: every valid one is accepted, every one-mistake one refused.

The documents come from `tests/strategies`. A refused valid document means the strategy
or the validator is wrong; an invalid one must be refused by the real CLI as a user
meets it: exit code 2, one line naming `file:line:col` at the injected mistake, no
traceback, and nothing written.

`BACKSMITH_RANDOM_EXAMPLES=N` runs N examples of each test instead of the defaults.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backsmith.cli import main
from backsmith.errors import SpecError
from backsmith.spec import load_feature
from tests.strategies import Drawn, Mistake, forms, invalid_documents, render, span
from tests.strategies import feature_documents as documents
from tests.strategies.mistakes import INJECTORS
from tests.strategies.reduce import is_valid, minimise, size

_EXAMPLES = os.environ.get("BACKSMITH_RANDOM_EXAMPLES")
VALID_EXAMPLES = int(_EXAMPLES or 300)
INVALID_EXAMPLES = int(_EXAMPLES or 200)
# The located error line the CLI prints: `error: FILE:LINE:COL: message`.
_ERROR = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$", re.M)
# Nothing in a drawn document is slow to check; the machine may be busy.
_SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


@settings(_SETTINGS, max_examples=VALID_EXAMPLES)
@given(documents(), forms, st.booleans())
def test_every_drawn_document_is_accepted(drawn: Drawn, form: str, flow: bool) -> None:
    rendered = render(drawn.data, form, flow=flow)
    with tempfile.TemporaryDirectory() as directory:
        path = rendered.write(Path(directory))
        try:
            spec = load_feature(path)
        except SpecError as error:
            raise AssertionError(f"refused: {error}\n{rendered.text}") from None
    assert [e.name for e in spec.entities] == list(drawn.entities)
    for entity in spec.entities:
        model = drawn.entities[entity.name]
        assert [f.name for f in entity.fields] == list(model.fields)
        assert {r.name for r in (*entity.relations, *entity.many_to_many)} == set(model.relations)


def backsmith(*args: str) -> tuple[int, str]:
    """The CLI's entry point in process: its exit code and everything it printed."""
    output = io.StringIO()
    with (
        redirect_stdout(output),
        redirect_stderr(output),
        mock.patch.object(sys, "argv", ["backsmith", *args]),
    ):
        try:
            main()
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        else:
            code = 0
    return code, output.getvalue()


@pytest.mark.parametrize("kind", sorted(INJECTORS))
def test_a_document_with_one_mistake_is_refused_at_the_mistake(kind: str) -> None:
    # Each kind of mistake gets its share: drawn from all at once, a few would dominate.
    @settings(_SETTINGS, max_examples=max(10, INVALID_EXAMPLES // len(INJECTORS)))
    @given(invalid_documents(kind), forms)
    def refused(mistake: Mistake, form: str) -> None:
        check_refused(mistake, form)

    refused()


def check_refused(mistake: Mistake, form: str) -> None:
    rendered = render(mistake.data, form)
    where = span(rendered, mistake.path)
    with tempfile.TemporaryDirectory() as directory:
        document = rendered.write(Path(directory))
        target = Path(directory) / "out"
        target.mkdir()
        code, output = backsmith(
            "new", "demo", "--directory", str(target), "--feature", str(document)
        )
        written = sorted(p.name for p in target.iterdir())
    context = f"{mistake.kind} at {'/'.join(map(str, mistake.path))}:\n{output}\n{rendered.text}"
    assert code == 2, context
    assert "Traceback" not in output, context
    assert written == [], context
    found = _ERROR.search(output)
    assert found is not None, context
    assert found["file"] == str(document), context
    assert "bug in backsmith" not in found["message"], context
    assert (int(found["line"]), int(found["col"])) in where, f"expected within {where}: {context}"


def _links(data: dict[str, Any]) -> bool:
    """The stand-in for a failing project: the document has a many_to_many relation."""
    return any(
        isinstance(relation, dict) and relation.get("kind") == "many_to_many"
        for body in data["entities"].values()
        for relation in (body.get("relations") or {}).values()
    )


@settings(_SETTINGS, max_examples=10, suppress_health_check=list(HealthCheck))
@given(documents())
def test_minimising_leaves_only_what_the_failure_needs(drawn: Drawn) -> None:
    assume(_links(drawn.data))
    smallest, dropped, _ = minimise(drawn.data, _links, time.monotonic() + 120)
    assert _links(smallest) and is_valid(smallest)
    # The link and its target: at most two entities of one field each, and nothing else.
    assert len(smallest["entities"]) <= 2, smallest
    for body in smallest["entities"].values():
        assert len(body["fields"]) == 1, smallest
        assert set(body) <= {"fields", "relations"}, smallest
    assert size(smallest) < size(drawn.data) or not dropped
