"""The fuzz harness's reading of deletions: which stateful failures are the API's contract.

The harness module runs inside target projects and reads its settings from the
environment at import, so it is exercised in a subprocess of its own, with steps shaped
as schemathesis gives them (an operation's method and path, the formatted path, the
response's status).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json
from types import SimpleNamespace as N

from schemathesis.openapi.checks import EnsureResourceAvailability

from backsmith.runtime.fuzz_harness import Deletions


def step(method, template, path):
    return N(operation=N(method=method, path=template), formatted_path=path)


def lost(case):
    failure = EnsureResourceAvailability(
        operation="GET", message="", created_with="POST", not_available_with="GET"
    )
    return deletions.explain(failure, case)


ok, created = N(status_code=200), N(status_code=201)
read_booking = step("GET", "/bookings/{booking_id}", "/bookings/4")
read_folder = step("GET", "/folders/{folder_id}", "/folders/9")
found = {}

deletions = Deletions()
deletions.follow(step("POST", "/bookings", "/bookings"), created)
found["fresh"] = lost(read_booking)
deletions.follow(step("DELETE", "/rooms/{room_id}", "/rooms/2"), N(status_code=204))
found["after_a_parent_delete"] = lost(read_booking)
deletions.follow(step("POST", "/bookings", "/bookings"), created)
found["created_again"] = lost(read_booking)
deletions.follow(step("DELETE", "/rooms/{room_id}", "/rooms/3"), N(status_code=404))
found["after_a_refused_delete"] = lost(read_booking)

deletions.follow(step("POST", "/folders", "/folders"), created)
deletions.follow(step("DELETE", "/folders/{folder_id}", "/folders/9"), N(status_code=204))
found["its_own_delete"] = lost(read_folder)
deletions.follow(step("DELETE", "/folders/{folder_id}", "/folders/8"), N(status_code=204))
found["its_parent_in_a_tree"] = lost(read_folder)
print(json.dumps(found))
"""


def test_a_row_gone_after_another_rows_delete_is_a_cascade_not_a_lost_resource(
    tmp_path: Path,
) -> None:
    """Deleting a parent (`on_delete: cascade`) takes the rows just made under it: their
    404 is the contract. The same 404 with no DELETE since the row was made, after a
    DELETE that failed, or after only the row's own DELETE stands as a failure."""
    environment = {
        **os.environ,
        "BACKSMITH_FUZZ_PROJECT": str(tmp_path),
        "BACKSMITH_FUZZ_SCRATCH": str(tmp_path),
        "BACKSMITH_FUZZ_RESULTS": str(tmp_path / "results.json"),
        "BACKSMITH_FUZZ_DATABASE_URL": "sqlite://",
        "BACKSMITH_FUZZ_APP": "app.main:app",
        "BACKSMITH_FUZZ_EXAMPLES": "1",
        "BACKSMITH_FUZZ_SEED": "1",
    }
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(run.stdout) == {
        "fresh": False,
        "after_a_parent_delete": True,
        "created_again": False,
        "after_a_refused_delete": False,
        "its_own_delete": False,
        "its_parent_in_a_tree": True,
    }
