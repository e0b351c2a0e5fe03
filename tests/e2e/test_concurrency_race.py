"""Optimistic concurrency holds under a real race: 50 writers, one row, PostgreSQL.

The help desk example's tickets are `versioned: true`. The race itself runs in the
generated project (`scripts/ticket_race.py`): 50 concurrent clients against the app,
each request in its own transaction on the PostgreSQL server, where READ COMMITTED lets
their reads interleave and only the conditional UPDATE can keep them from losing writes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import BIN, REPO, run, scratch_postgres

pytestmark = pytest.mark.e2e

CLIENTS = 50
SCRIPT = Path(__file__).parent / "scripts" / "ticket_race.py"


@pytest.fixture(scope="module")
def race(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    parent = tmp_path_factory.mktemp("race")
    example = REPO / "examples" / "helpdesk.md"
    new = [str(BIN / "backsmith"), "new", "demo", "-C", str(parent), "--feature", str(example)]
    run(new, parent)
    project = parent / "demo"
    with scratch_postgres(project) as url:
        env = {"DATABASE_URL": url, "PYTHONPATH": str(project)}
        run([str(BIN / "alembic"), "upgrade", "head"], project, env)
        output = run([str(BIN / "python"), str(SCRIPT)], project, env)
    outcome: dict[str, dict[str, object]] = json.loads(output.splitlines()[-1])
    return outcome


def test_one_etag_one_winner(race: dict[str, dict[str, object]]) -> None:
    """50 PATCHes with the same If-Match: exactly one 200, 49 x 412; the winner's change
    is the row's, and the version moved by exactly one."""
    same = race["same_etag"]
    assert same["statuses"] == {"200": 1, "412": CLIENTS - 1}
    assert same["winner_titles"] == [same["final_title"]]
    assert same["final_version"] == 2


def test_retrying_writers_lose_nothing(race: dict[str, dict[str, object]]) -> None:
    """Each client adds one vote, retrying on 412: every version from 2 to 51 was made by
    exactly one client, and all 50 votes are in."""
    retried = race["retry_until_won"]
    assert retried["winning_versions"] == list(range(2, CLIENTS + 2))
    assert retried["final_votes"] == CLIENTS
    assert retried["final_version"] == CLIENTS + 1
