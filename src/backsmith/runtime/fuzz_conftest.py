"""Set up the fuzz run before collection: the schema is loaded when the test module is.

Copied into the fuzz gate's scratch directory as `conftest.py`, beside `backsmith_fuzz.py`
(`fuzz_harness.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from backsmith.runtime import fuzz_harness as backsmith_fuzz
else:  # in scratch, where backsmith is not importable: the copy beside this file
    import backsmith_fuzz


def pytest_configure(config: pytest.Config) -> None:
    backsmith_fuzz.setup()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    backsmith_fuzz.record_test_report(report)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    backsmith_fuzz.record_test_report(report)  # e.g. the OpenAPI document does not load


def pytest_unconfigure(config: pytest.Config) -> None:
    backsmith_fuzz.teardown()
