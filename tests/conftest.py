"""Run order for the whole suite: the longest tests first.

The suite runs on two xdist workers that steal work from each other (`--dist worksteal`
in the Makefile). Started last, the end-to-end runs of generated projects (minutes each)
would leave one worker idle while the other finishes them; started first, the many short
tests fill the gaps around them.
"""

from __future__ import annotations

import pytest

# Directories whose tests generate projects and run gates in them, longest first.
_SLOW_FIRST = ("tests/e2e/", "tests/project/", "tests/llm/", "tests/gates/")


def _rank(item: pytest.Item) -> int:
    path = item.nodeid
    return next((rank for rank, prefix in enumerate(_SLOW_FIRST) if path.startswith(prefix)), 99)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the order within each group is kept
