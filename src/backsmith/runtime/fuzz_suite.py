"""Every operation in every phase, then stateful sequences across operations.

Copied into the fuzz gate's scratch directory as `test_backsmith_fuzz.py`, beside
`backsmith_fuzz.py` (`fuzz_harness.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backsmith.runtime import fuzz_harness as fuzz
    from backsmith.runtime.fuzz_harness import Case
else:  # in scratch, where backsmith is not importable: the copy beside this file
    import backsmith_fuzz as fuzz

schema = fuzz.load_schema()

if schema is not None:  # None: the harness found a reason not to fuzz, in its results
    loaded = schema

    @loaded.parametrize()
    def test_operation(case: Case) -> None:
        fuzz.call_and_check(case)

    def test_stateful() -> None:
        fuzz.run_stateful(loaded)
