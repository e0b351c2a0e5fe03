"""`implement` in projects backsmith did not create: the feature in the team's own style.

Each fixture project is copied, `examples/budget.md` implemented in it, and the result
judged the way its team judges a change: every gate (its own test suite, old tests and
new, at its coverage threshold; its own ruff and mypy settings; Alembic round trips on
SQLite and PostgreSQL; OpenAPI; fuzzing). The new files must sit where the project keeps
files of their kind, and its registries must be edited the way it writes them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from backsmith.errors import SpecError, StepFailed
from backsmith.gates.model import Status
from backsmith.gates.runner import GATE_NAMES, run_gates
from backsmith.pipeline import implement_feature
from backsmith.project.profile import load_profile
from tests.cli.test_cli import snapshot

FIXTURES = Path(__file__).parents[1] / "fixtures" / "projects"
BUDGET = Path(__file__).parents[2] / "examples" / "budget.md"
POSTGRES = os.environ.get(
    "BACKSMITH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BUDGET_OPERATIONS = 10  # list, create, read, update, delete of Category and Expense

# Where each project keeps a feature's layers (as `backsmith inspect` reports them), and
# the line its router registry gains.
EXPECTED = {
    "async_domain": {
        "files": [
            "app/budget/models.py",
            "app/budget/schemas.py",
            "app/budget/service.py",
            "app/budget/router.py",
            "tests/budget/test_router.py",
        ],
        "registry": (
            "app/main.py",
            'app.include_router(budget_router, prefix="/budget", tags=["budget"])',
        ),
    },
    "async_layered": {
        "files": [
            "app/models/budget.py",
            "app/schemas/budget.py",
            "app/services/budget_service.py",
            "app/api/v1/endpoints/budget.py",
            "tests/api/test_budget.py",
        ],
        "registry": ("app/api/v1/router.py", "api_router.include_router(budget.router)"),
    },
    "sqlmodel_layered": {
        # One models module and one crud module for every resource: the feature adds to them.
        "files": [
            "app/models.py",
            "app/crud.py",
            "app/api/routes/budget.py",
            "tests/api/routes/test_budget.py",
        ],
        "registry": ("app/api/main.py", "api_router.include_router(budget.router)"),
    },
}


def copy_of(name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    return root


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_implement_writes_in_the_projects_style_and_passes_every_gate(
    name: str, tmp_path: Path
) -> None:
    root = copy_of(name, tmp_path)
    expected = EXPECTED[name]
    old_tests = sorted(p.relative_to(root) for p in (root / "tests").rglob("test_*.py"))
    operations_before = run_gates(root, ["openapi"]).result("openapi")
    assert operations_before is not None

    result = implement_feature(root, BUDGET)

    for path in expected["files"]:
        assert path in result.written, path
    assert len([p for p in result.written if "/versions/" in p]) == 1
    registry, line = expected["registry"]
    assert line in (root / registry).read_text(encoding="utf-8")
    for path in old_tests:
        assert (root / path).is_file()  # the team's tests are kept, and run below
    written = snapshot(root)
    report = run_gates(root, database_url=POSTGRES, fuzz_examples=2)
    for gate in GATE_NAMES:
        gate_result = report.result(gate)
        assert gate_result is not None, gate
        assert gate_result.status is Status.PASSED, (gate, gate_result.failures[:3])
    tests = report.result("tests")
    assert tests is not None and float(tests.figures["coverage"]) >= 90
    migrations = report.result("migrations")
    assert migrations is not None and migrations.figures["databases"] == "sqlite, postgresql"
    fuzz = report.result("fuzz")
    before = int(operations_before.figures["operations"])
    assert fuzz is not None and fuzz.figures["operations"] == before + BUDGET_OPERATIONS
    # The gates write nothing into the project but their own report: no database, no cache.
    after = {k: v for k, v in snapshot(root).items() if not k.startswith(".backsmith/")}
    assert after == {k: v for k, v in written.items() if not k.startswith(".backsmith/")}
    assert implement_feature(root, BUDGET).written == []  # nothing left to do


# (fixture, example, role table, gates): sync SQLModel with an administrator flag, whose
# other roles go to the feature's role table (its tables' names are singular); async
# SQLAlchemy without a flag, every role in the table.
ROLE_CASES = [
    ("sqlmodel_layered", "clinic.md", "clinic_user_role", ["tests", "lint", "types", "migrations"]),
    ("async_domain", "library.yaml", "library_user_roles", ["tests", "lint", "types"]),
]


@pytest.mark.parametrize(
    ("name", "example", "table", "gates"), ROLE_CASES, ids=[c[0] for c in ROLE_CASES]
)
def test_roles_the_projects_users_do_not_have_are_kept_in_a_role_table_and_enforced(
    name: str, example: str, table: str, gates: list[str], tmp_path: Path
) -> None:
    """The document's roles (doctor, librarian) are served: users hold them in a table the
    feature adds (an administrator flag, where the users have one, stays `role:admin`);
    the suite's access matrix proves each rule, so a rule that forgets a role fails it."""
    root = copy_of(name, tmp_path)
    document = tmp_path / example
    shutil.copyfile(Path(__file__).parents[2] / "examples" / example, document)

    result = implement_feature(root, document)

    feature = document.stem
    models = next(root / p for p in result.written if p.endswith(("models.py", f"/{feature}.py")))
    assert f'__tablename__ = "{table}"' in models.read_text(encoding="utf-8")
    (migration,) = [root / p for p in result.written if "/versions/" in p]
    assert re.search(rf"create_table\(\s*['\"]{table}['\"]", migration.read_text(encoding="utf-8"))
    report = run_gates(root, gates, database_url=POSTGRES)
    for gate in gates:
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    # The rules forget the first non-admin role: the generated access tests notice.
    role = "doctor" if feature == "clinic" else "librarian"
    service = next(root / p for p in result.written if "service" in p or "crud" in p)
    code = service.read_text(encoding="utf-8")
    assert f'"{role}"' in code
    service.write_text(code.replace(f'"{role}"', '"nobody"'), encoding="utf-8")
    tests = next(root / p for p in result.written if p.startswith("tests/"))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "access"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert f"role:{role}-" in suite.stdout


def test_business_rules_it_cannot_generate_yet_are_refused(tmp_path: Path) -> None:
    """An existing project never gets a feature with its rules silently left out."""
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "tickets.yaml"
    document.write_text(
        "feature: tickets\nentities:\n  Ticket:\n    tenant: true\n    fields: {title: str}\n",
        encoding="utf-8",
    )
    before = sorted(p for p in root.rglob("*") if p.is_file())
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "`tenant` is not supported in existing projects yet" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 3
    assert sorted(p for p in root.rglob("*") if p.is_file()) == before


def test_an_entity_may_not_take_a_table_the_project_already_has(tmp_path: Path) -> None:
    """The project's own `Project` model owns the table `project`: an entity named so is
    refused where it is written (Alembic would refuse the second table), and nothing is
    written; `inspect` lists the tables it found. A feature's own tables, made by its
    earlier migration, are no clash: implementing it again changes nothing."""
    root = copy_of("async_layered", tmp_path)
    profile = load_profile(root)
    assert "project=app.models.project:Project" in (profile.value("tables") or "")
    document = tmp_path / "work.yaml"
    document.write_text(
        "feature: work\nentities:\n  Task:\n    fields: {title: str}\n"
        "  Project:\n    fields: {name: str}\n",
        encoding="utf-8",
    )
    before = sorted(p for p in root.rglob("*") if p.is_file())
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "Project: this project already has the table `project`" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 5
    assert sorted(p for p in root.rglob("*") if p.is_file()) == before

    document.write_text("feature: work\nentities:\n  Task:\n    fields: {title: str}\n")
    assert implement_feature(root, document).written
    assert implement_feature(root, document).written == []


VERSIONED = """\
feature: desk
entities:
  Queue:
    versioned: true
    soft_delete: true
    fields:
      name: {type: str, max_length: 40, unique: true}
  Ticket:
    owned: true
    versioned: true
    fields:
      title: str(1..120)
      status: {enum: [open, closed], default: open}
    relations:
      queue: {to: Queue}
    actions:
      close:
        set: {status: closed}
        when: status == "open"
"""


def test_a_versioned_entity_sends_its_version_as_an_etag_and_writes_need_it_back(
    tmp_path: Path,
) -> None:
    """Reads send `ETag: "N"`; PATCH and DELETE without If-Match are a 428, with a stale
    one a 412; every accepted write (an empty PATCH, a soft delete, a restore, an action)
    makes a new version. Served in a project whose models are SQLModel and whose routes
    and tests are its own; every generated test sends the version it read. Without the
    service's If-Match check, the version test fails."""
    root = copy_of("sqlmodel_layered", tmp_path)
    document = tmp_path / "desk.yaml"
    document.write_text(VERSIONED, encoding="utf-8")

    implement_feature(root, document)

    report = run_gates(root, ["tests", "lint", "types", "migrations"])
    for gate in ("tests", "lint", "types", "migrations"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)
    tests = root / "tests/api/routes/test_desk.py"
    assert "def test_ticket_writes_name_the_version_they_were_made_from(" in tests.read_text(
        encoding="utf-8"
    )

    service = root / "app/crud.py"
    code = service.read_text(encoding="utf-8")
    check = "_check_if_match(if_match, ticket.version)"
    assert code.count(check) == 2  # update and delete
    service.write_text(code.replace(check, "pass"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "version"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "test_ticket_writes_name_the_version_they_were_made_from" in suite.stdout


MANY_TO_MANY = """\
feature: notes
entities:
  Tag:
    fields:
      name: {type: str, max_length: 40, unique: true}
  Note:
    owned: true
    fields:
      title: str(1..120)
    relations:
      tag: {to: Tag, kind: many_to_many}
      see_also: {to: Note, kind: many_to_many}
"""


@pytest.mark.parametrize("name", ["async_domain", "sqlmodel_layered"])
def test_a_many_to_many_is_a_set_of_ids_in_an_association_table(name: str, tmp_path: Path) -> None:
    """`tag_ids` is read back in ascending order, replaced by a PATCH that sends it, names
    existing rows once (a 422 otherwise); deleting a tag takes it off every note. The links
    live in the association table the design names (`note_tags`), a SQLAlchemy `Table` or
    a SQLModel link class as the project writes models; a relation of an entity to itself
    works too. Its migration comes from the project's Alembic, and round trips."""
    root = copy_of(name, tmp_path)
    document = tmp_path / "notes.yaml"
    document.write_text(MANY_TO_MANY, encoding="utf-8")

    result = implement_feature(root, document)

    models = next(root / p for p in result.written if p.endswith("models.py"))
    code = models.read_text(encoding="utf-8")
    assert ("class NoteTagLink(SQLModel, table=True)" in code) == (name == "sqlmodel_layered")
    assert ("note_tags = Table(" in code) == (name == "async_domain")
    migration = next(p for p in result.written if "/versions/" in p)
    assert "note_tags" in (root / migration).read_text(encoding="utf-8")
    tests = next(root / p for p in result.written if p.startswith("tests/") and "test_" in p)
    generated = tests.read_text(encoding="utf-8")
    assert "def test_note_tag_ids_are_a_set_the_client_replaces(" in generated
    assert "def test_deleting_a_tag_unlinks_it_from_notes_tag(" in generated
    assert "def test_note_see_also_ids_name_existing_rows_once(" in generated
    report = run_gates(root, ["tests", "lint", "types", "migrations"])
    for gate in ("tests", "lint", "types", "migrations"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)


FILTERED = """\
feature: shelf
entities:
  Shelf:
    fields:
      label: {type: str, unique: true}
      code: {type: str, pattern: "^S.+$"}  # admits a NUL, which PostgreSQL cannot store
      floor: int(0..20)
      zone: {enum: [north, south, east]}
    list:
      sort: [floor, -label, zone]
  Box:
    owned: true
    fields:
      weight: {type: decimal, precision: 6, scale: 2}
      packed_on: date
    relations:
      shelf: Shelf
    # Anyone signed in lists every box, but reads only their own (the list's own rule).
    access: {list: authenticated, read: owner, create: authenticated, update: owner,
             delete: owner}
    list:
      filter: [weight, packed_on, shelf, shelf.floor, shelf.zone, shelf.label]
      sort: [-created_at, packed_on, -weight]  # the newest first: the tables keep no time
"""


@pytest.mark.parametrize("name", ["async_domain", "sqlmodel_layered"])
def test_every_list_filter_and_the_nul_rule_are_served_and_tested(
    name: str, tmp_path: Path
) -> None:
    """Ranges, enum alternatives and filters across a relation (matching only parents the
    caller may see), each with a generated test, and so is each sort; a NUL that a
    field's own pattern admits is refused (a test sends one); a list whose rule differs
    from read's shows what the list's rule allows (the access matrix says so). The
    project's suite, lint and types pass."""
    root = copy_of(name, tmp_path)
    document = tmp_path / "shelf.yaml"
    document.write_text(FILTERED, encoding="utf-8")

    result = implement_feature(root, document)

    tests = next(root / p for p in result.written if p.startswith("tests/") and "shelf" in p)
    generated = tests.read_text(encoding="utf-8")
    for param in (
        "weight__gte",
        "packed_on__lte",
        "shelf__floor",
        "shelf__floor__gte",
        "shelf__zone__in",
        "shelf__label",
    ):
        assert f"def test_boxes_filter_by_{param}(" in generated, param
    assert 'id="code: code with a NUL"' in generated
    # Each sort whose order the answer shows is tested (a decimal comes back as text, an
    # enum is ordered by declaration on PostgreSQL: those are served, not tested).
    assert '[("floor", "floor"), ("-label", "label")]' in generated
    assert '[("-created_at", "id"), ("packed_on", "packed_on")]' in generated
    assert 'pytest.param((), "list", False, 200, True, id="user-list-not_owner")' in generated
    report = run_gates(root, ["tests", "lint", "types"])
    for gate in ("tests", "lint", "types"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)


def test_an_embedded_summary_is_refused_at_its_embed(tmp_path: Path) -> None:
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "notes.yaml"
    document.write_text(
        "feature: notes\nentities:\n  Tag:\n    fields: {name: str}\n  Note:\n"
        "    fields: {text: str}\n    relations:\n"
        "      tag: {to: Tag, embed: [name]}\n",
        encoding="utf-8",
    )
    before = sorted(p for p in root.rglob("*") if p.is_file())
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "Note.tag: `embed` is not supported in existing projects yet" in str(raised.value)
    location = raised.value.location
    assert location is not None and (location.line, location.column) == (8, 30)
    assert sorted(p for p in root.rglob("*") if p.is_file()) == before


def test_a_computed_field_is_refused_with_its_entity(tmp_path: Path) -> None:
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "threads.yaml"
    document.write_text(
        "feature: threads\nentities:\n  Post:\n    fields: {text: str}\n    relations:\n"
        "      reply_to: {to: Post, required: false}\n"
        "    computed:\n      replies: {count: Post, via: reply_to}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "Post: `computed` is not supported in existing projects yet" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 3


ONE_TO_ONE = """\
feature: travel
entities:
  Traveller:
    owned: true
    fields:
      name: str(1..80)
      code: {type: str, pattern: "^[A-Z]{3}$", unique: true}
  Passport:
    owned: true
    fields: {number: str(5..20), expires_on: date}
    relations:
      traveller: {to: Traveller, kind: one_to_one, on_delete: cascade}
    list: {filter: [traveller]}
  Locker:
    fields: {label: str(1..20)}
    relations:
      passport: {to: Passport, kind: one_to_one, required: false, on_delete: set_null}
    list: {filter: [passport]}
"""


def test_a_one_to_one_links_each_parent_once_and_an_empty_link_collides_with_nothing(
    tmp_path: Path,
) -> None:
    """A one_to_one is a many_to_one whose link is unique (a 409 for a taken parent, with a
    generated test); an optional one left empty is no collision, in the service as in the
    database. The project's suite, lint and types pass."""
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "travel.yaml"
    document.write_text(ONE_TO_ONE, encoding="utf-8")

    result = implement_feature(root, document)

    models = (root / "app/travel/models.py").read_text(encoding="utf-8")
    assert 'UniqueConstraint("traveller_id")' in models
    assert 'UniqueConstraint("passport_id")' in models
    tests = next(root / p for p in result.written if p.startswith("tests/"))
    generated = tests.read_text(encoding="utf-8")
    assert "def test_passport_traveller_id_is_unique(" in generated
    assert "def test_locker_passport_id_is_unique(" in generated
    # Three lockers without a passport, all made (new_locker leaves the link empty).
    assert 'ids = [(await new_locker(client, index))["id"] for index in range(3)]' in generated
    report = run_gates(root, ["tests", "lint", "types"])
    for gate in ("tests", "lint", "types"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)


TRANSITIONS = """\
feature: desk
entities:
  Ticket:
    owned: true
    fields:
      title: str(1..120)
      status: {enum: [open, in_progress, resolved, closed], default: open}
    transitions:
      status:
        open: [in_progress, closed]
        in_progress: [open, resolved]
        resolved: [closed, in_progress]
"""


def test_a_state_field_moves_only_as_its_transitions_allow(tmp_path: Path) -> None:
    """Every ordered pair of states is tried by a generated test: an allowed move is a 200,
    any other a 409 naming the moves allowed (SPEC's wording), the row left as it was.
    Without the service's check, those tests fail."""
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "desk.yaml"
    document.write_text(TRANSITIONS, encoding="utf-8")

    result = implement_feature(root, document)

    tests = next(root / p for p in result.written if p.startswith("tests/"))
    generated = tests.read_text(encoding="utf-8")
    assert 'pytest.param("open", "in_progress", True, id="open->in_progress")' in generated
    assert 'pytest.param("open", "resolved", False, id="open->resolved")' in generated
    assert 'pytest.param("closed", "open", False, id="closed->open")' in generated
    report = run_gates(root, ["tests", "lint", "types"])
    for gate in ("tests", "lint", "types"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    service = root / "app/desk/service.py"
    code = service.read_text(encoding="utf-8")
    check = '_check_move("status", ticket.status, changes.get("status"), _TICKET_STATUS_MOVES)'
    assert check in code
    service.write_text(code.replace(check, "pass"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "moves"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "6 failed, 6 passed" in suite.stdout  # the 6 refused moves fail; the 6 allowed pass


CHECKS = """\
feature: planner
entities:
  Trip:
    owned: true
    fields:
      name: {type: str, max_length: 80, unique: true}
      starts_on: date
      ends_on: date?
      people: int(1..20) = 1
      budget: decimal(8,2)?
      leaves_at: datetime?
      arrives_at: datetime?
      status: {enum: [draft, booked, done], default: draft}
    transitions:
      status: {draft: [booked], booked: [done, draft]}
    checks:
      - rule: ends_on is null or ends_on >= starts_on
        message: A trip ends on or after the day it starts.
      - rule: budget is null or budget >= people * 100
        message: At least 100 per person.
      - rule: arrives_at is null or leaves_at is null or arrives_at > leaves_at
        message: One arrives after leaving.
      - rule: status != "done" or ends_on is not null
        message: A done trip has an end.
"""


def test_cross_field_checks_answer_a_422_on_create_and_on_the_merged_row_of_an_update(
    tmp_path: Path,
) -> None:
    """The first broken check is a 422 with its message, on create and on a PATCH judged
    with the stored values; the checks' runtime and its tests sit beside the project's
    services and tests, named for the feature where features share the folder. Four
    checks over seven fields still get test data that meets them all, and datetimes read
    back from SQLite meet their schema under fuzzing. Without the update's check, the
    PATCH tests fail."""
    root = copy_of("sqlmodel_layered", tmp_path)
    document = tmp_path / "planner.yaml"
    document.write_text(CHECKS, encoding="utf-8")

    result = implement_feature(root, document)

    assert "app/planner_checks.py" in result.written
    assert "tests/api/routes/test_planner_checks.py" in result.written
    tests = root / "tests/api/routes/test_planner.py"
    generated = tests.read_text(encoding="utf-8")
    for message in ("A trip ends on or after", "At least 100", "One arrives", "A done trip"):
        assert generated.count(message) == 2, message  # broken on create, and by a PATCH
    report = run_gates(root, ["tests", "lint", "types", "fuzz"], fuzz_examples=5)
    for gate in ("tests", "lint", "types", "fuzz"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    service = root / "app/crud.py"
    code = service.read_text(encoding="utf-8")
    check = "_check_rules_trip({**stored, **changes})"
    assert check in code
    service.write_text(code.replace(check, "pass"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "check"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "4 failed" in suite.stdout  # each check's PATCH; the creates still pass


ACTIONS = """\
feature: desk
roles: [agent]
entities:
  Ticket:
    owned: true
    fields:
      title: str(1..120)
      body: text?
      status: {enum: [open, in_progress, resolved, closed], default: open}
      closed_at: {type: datetime, required: false, read_only: true}
      votes: int(0..) = 0
      opened_on: date
      due_on: date?
    transitions:
      status:
        open: [in_progress, closed]
        in_progress: [open, resolved]
        resolved: [closed, in_progress]
    checks:
      - rule: due_on is null or due_on >= opened_on
        message: A ticket cannot be due before it was opened.
    actions:
      resolve:
        set: {status: resolved}
        when: status == "in_progress" and body is not null
        message: Only a ticket in progress, with a description, can be resolved.
        access: ["role:agent", "role:admin"]
      close:
        set: {status: closed, closed_at: now}
        when: status in ["open", "resolved"]
        description: Close the ticket and record when.
      reset_votes:
        set: {votes: 0}
        access: "role:admin"
"""


def test_custom_actions_run_under_their_guard_their_moves_and_their_own_access_rule(
    tmp_path: Path,
) -> None:
    """`POST /tickets/{id}/resolve` sets its values when its guard holds (else a 409 with
    the guard's message), the move is allowed and the caller passes the action's own rule;
    the access matrix runs each action as every caller, on a row made ready for it. In a
    project whose services are classes, each action is a method. Without the guard's
    check, the guard tests fail."""
    root = copy_of("async_layered", tmp_path)
    document = tmp_path / "desk.yaml"
    document.write_text(ACTIONS, encoding="utf-8")

    result = implement_feature(root, document)

    assert "app/services/desk_checks.py" in result.written  # the guards' runtime
    tests = root / "tests/api/test_desk.py"
    generated = tests.read_text(encoding="utf-8")
    assert "def test_resolve_ticket_refused_by_its_guard(" in generated
    assert 'id="role:agent-resolve-not_owner"' in generated
    assert 'id="role:agent-reset_votes-not_owner"' in generated
    router = (root / "app/api/v1/endpoints/desk.py").read_text(encoding="utf-8")
    assert '"/tickets/{ticket_id}/resolve"' in router
    report = run_gates(root, ["tests", "lint", "types", "openapi"])
    for gate in ("tests", "lint", "types", "openapi"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    service = root / "app/services/desk_service.py"
    code = service.read_text(encoding="utf-8")
    guard = "if _ticket_resolve_allowed(stored) is not True:"
    assert guard in code
    service.write_text(code.replace(guard, "if False:"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "resolve"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "FAILED" in suite.stdout and "test_resolve_ticket_refused_by_its_guard" in suite.stdout


SOFT_DELETE = """\
feature: archive
roles: [keeper]
entities:
  Shelf:
    soft_delete: true
    fields:
      code: {type: str, pattern: "^[A-Z]{2}[0-9]$", unique: true}
      label: str(1..40)
    access:
      list: authenticated
      read: authenticated
      create: "role:keeper"
      update: "role:keeper"
      delete: "role:keeper"
      restore: ["role:keeper", "role:admin"]
  Box:
    owned: true
    soft_delete: true
    fields: {name: str(1..60)}
    relations:
      shelf: {to: Shelf, on_delete: restrict}
    unique: [[shelf, name]]
"""


def test_soft_delete_hides_a_row_until_restored_and_frees_its_unique_values(
    tmp_path: Path,
) -> None:
    """DELETE marks the row; it is gone from reads and lists until POST .../restore brings
    it back (a 404 for a live row; a 409 when its values were taken since); uniqueness
    holds among live rows in partial unique indexes, migrated on SQLite and PostgreSQL.
    The generated tests notice a list that shows deleted rows."""
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "archive.yaml"
    document.write_text(SOFT_DELETE, encoding="utf-8")

    result = implement_feature(root, document)

    models = (root / "app/archive/models.py").read_text(encoding="utf-8")
    assert 'postgresql_where=text("deleted_at IS NULL")' in models
    assert "UniqueConstraint(" not in models  # a deleted row must not hold its values
    tests = next(root / p for p in result.written if p.startswith("tests/"))
    generated = tests.read_text(encoding="utf-8")
    assert "def test_a_deleted_box_frees_its_unique_values(" in generated
    assert 'pytest.param(("admin",), "restore", False, 200, False' in generated
    gates = ["tests", "lint", "types", "migrations"]
    report = run_gates(root, gates, database_url=POSTGRES)
    for gate in gates:
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    service = root / "app/archive/service.py"
    code = service.read_text(encoding="utf-8")
    live = "and_(Box.deleted_at.is_(None), or_(has_role, Box.owner_id == user.id))"
    assert live in code
    service.write_text(code.replace(live, "or_(has_role, Box.owner_id == user.id)"), "utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    suite = subprocess.run(
        [*command, "-k", "hidden_until_restored", str(tests)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "test_a_deleted_box_is_hidden_until_restored" in suite.stdout


def test_a_list_and_read_only_a_role_may_use_document_their_403(tmp_path: Path) -> None:
    """A rule that gives a signed-in user no rows at all answers 403 on list and read (the
    access matrix asserts it), so the served OpenAPI document lists it there too."""
    root = copy_of("sqlmodel_layered", tmp_path)
    document = tmp_path / "vault.yaml"
    document.write_text(
        "feature: vault\nentities:\n  Secret:\n    fields: {label: str(1..40)}\n"
        "    access: {list: 'role:admin', read: 'role:admin', create: authenticated,"
        " update: 'role:admin', delete: 'role:admin'}\n",
        encoding="utf-8",
    )
    implement_feature(root, document)

    served = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from app.main import app; print(json.dumps(app.openapi()))",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    paths = json.loads(served.stdout)["paths"]
    (collection,) = [p for p in paths if p.endswith("/secrets")]
    assert "403" in paths[collection]["get"]["responses"]
    assert "403" in paths[collection + "/{secret_id}"]["get"]["responses"]


INVERSES = """\
feature: practice
entities:
  Doctor:
    fields: {name: str(1..80)}
    access: {list: public, read: public}
  Appointment:
    owned: true
    fields:
      minutes: int(10..240) = 30
      status: {enum: [booked, done], default: booked}
    relations:
      doctor: {to: Doctor, on_delete: cascade, inverse: appointments}
    list: {filter: [status, doctor], sort: [-minutes]}
  Folder:
    owned: true
    fields: {title: str(1..40)}
    relations:
      parent: {to: Folder, required: false, on_delete: cascade, inverse: children}
"""


def test_an_inverse_collection_lists_a_parents_rows_under_the_rows_own_list_rule(
    tmp_path: Path,
) -> None:
    """`GET /doctors/{doctor_id}/appointments` and a tree's `GET /folders/{folder_id}/
    children`: a 404 for a parent the caller cannot read, else the rows' own list (their
    filters, sorts and pages) of that parent's rows only, as a generated test shows."""
    root = copy_of("sqlmodel_layered", tmp_path)
    document = tmp_path / "practice.yaml"
    document.write_text(INVERSES, encoding="utf-8")

    result = implement_feature(root, document)

    router = (root / "app/api/routes/practice.py").read_text(encoding="utf-8")
    assert '"/doctors/{doctor_id}/appointments"' in router
    assert '"/folders/{folder_id}/children"' in router
    tests = next(root / p for p in result.written if p.startswith("tests/"))
    generated = tests.read_text(encoding="utf-8")
    assert "def test_doctor_appointments_lists_only_its_own(" in generated
    assert "def test_folder_children_lists_only_its_own(" in generated
    report = run_gates(root, ["tests", "lint", "types"])
    for gate in ("tests", "lint", "types"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)

    crud = root / "app/crud.py"
    code = crud.read_text(encoding="utf-8")
    link = "conditions.append(col(Folder.parent_id) == parent_id)"
    assert link in code
    crud.write_text(code.replace(link, "pass"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    suite = subprocess.run(
        [*command, "-k", "lists_only_its_own", str(tests)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
    assert "1 failed, 1 passed" in suite.stdout  # the folders' children; the appointments


PUBLIC_WRITES = """\
feature: board
entities:
  Notice:
    fields: {text: str(1..200)}
    access: {list: public, read: public, create: public, update: public, delete: "role:admin"}
  Pin:
    owned: true
    fields: {label: str(1..20)}
    relations:
      notice: {to: Notice, on_delete: cascade}
      board: {to: Board, required: false, on_delete: set_null}
  Board:
    fields: {name: str(1..20)}
    relations:
      pin: {to: Pin, required: false, on_delete: set_null}
"""


def test_public_writes_take_anyone_and_a_cycle_of_links_migrates_without_a_naming_convention(
    tmp_path: Path,
) -> None:
    """A create or update anyone may make answers an anonymous caller (the access matrix
    asserts it), rather than asking them to sign in; and links that form a cycle (Pin ->
    Board -> Pin) in a project whose metadata names no constraints migrate
    both ways on SQLite's batch mode and on PostgreSQL, with no drift."""
    root = copy_of("sqlmodel_layered", tmp_path)
    document = tmp_path / "board.yaml"
    document.write_text(
        PUBLIC_WRITES.replace("mirror: {to: Pin", "notice_pin: {to: Board"), "utf-8"
    )

    implement_feature(root, document)

    router = (root / "app/api/routes/board.py").read_text(encoding="utf-8")
    assert "def create_notice(data: NoticeCreate, session: SessionDep)" in router
    gates = ["tests", "lint", "types", "migrations"]
    report = run_gates(root, gates, database_url=POSTGRES)
    for gate in gates:
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)


def test_field_access_is_refused_with_its_field(tmp_path: Path) -> None:
    root = copy_of("async_domain", tmp_path)
    before = sorted(p for p in root.rglob("*") if p.is_file())
    document = tmp_path / "staff.yaml"
    document.write_text(
        "feature: staff\nroles: [hr]\nentities:\n  Employee:\n    fields:\n      name: str\n"
        '      salary: {type: int, required: false, access: {read: "role:hr"}}\n',
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "Employee.salary: field `access` is not supported in existing projects" in str(
        raised.value
    )
    assert raised.value.location is not None and raised.value.location.line == 7
    assert sorted(p for p in root.rglob("*") if p.is_file()) == before


def test_a_tenant_entity_is_refused(tmp_path: Path) -> None:
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "crm.yaml"
    document.write_text(
        "feature: crm\nentities:\n  Account:\n    tenant: true\n    fields: {name: str}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        implement_feature(root, document)
    assert "Account: `tenant` is not supported in existing projects yet" in str(raised.value)
    assert raised.value.location is not None and raised.value.location.line == 3


def src_layout_of(name: str, tmp_path: Path) -> Path:
    """The fixture with its package moved under `src/`, configured as src-layout teams do."""
    root = copy_of(name, tmp_path)
    (root / "src").mkdir()
    shutil.move(root / "app", root / "src" / "app")
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = pyproject.replace('pythonpath = ["."]', 'pythonpath = ["src"]')
    pyproject = pyproject.replace('files = ["app", "tests"]', 'files = ["src/app", "tests"]')
    pyproject = pyproject.replace('src = ["."]', 'src = ["src", "."]')
    pyproject = pyproject.replace("[tool.mypy]\n", '[tool.mypy]\nmypy_path = "src"\n')
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    alembic = (root / "alembic.ini").read_text(encoding="utf-8")
    alembic = alembic.replace("prepend_sys_path = .", "prepend_sys_path = src")
    (root / "alembic.ini").write_text(alembic, encoding="utf-8")
    return root


def test_a_src_layout_project_gets_the_feature_under_src_imported_as_its_package(
    tmp_path: Path,
) -> None:
    root = src_layout_of("async_layered", tmp_path)
    result = implement_feature(root, BUDGET, dry_run=True)
    # The dry run plans; the files below are where a src-layout team keeps them.
    planned = {f.path for f in result.plan.files}
    for path in EXPECTED["async_layered"]["files"]:
        expected = path if path.startswith("tests/") else f"src/{path}"
        assert expected in planned, (expected, sorted(planned))
    assert "src/app/api/v1/router.py" in planned  # the registry it has, not a new package
    assert not any(p.startswith("app/") for p in planned)

    implement_feature(root, BUDGET)
    router = (root / "src/app/api/v1/endpoints/budget.py").read_text(encoding="utf-8")
    assert "from app.models.budget import" in router
    assert "src." not in router
    output = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert output.returncode == 0, output.stdout[-4000:]
    assert " passed" in output.stdout and "failed" not in output.stdout


def backend_of_a_repository(tmp_path: Path) -> Path:
    """sqlmodel_layered as the `backend/` folder of a repository whose settings read the
    repository's `.env` (`env_file="../.env"`, as the FastAPI full-stack template does),
    with a setting that only that file gives."""
    repository = tmp_path / "repository"
    (repository / ".git").mkdir(parents=True)
    root = repository / "backend"
    shutil.copytree(
        FIXTURES / "sqlmodel_layered", root, ignore=shutil.ignore_patterns("__pycache__", ".*")
    )
    config = root / "app/core/config.py"
    text = config.read_text(encoding="utf-8").replace('env_file=".env"', 'env_file="../.env"')
    text = re.sub(r"SECRET_KEY: str = .*", "SECRET_KEY: str", text)
    config.write_text(text, encoding="utf-8")
    (repository / ".env").write_text("SECRET_KEY=" + "k" * 48 + "\n", encoding="utf-8")
    return root


def test_settings_that_read_an_env_file_above_the_project_still_find_it(tmp_path: Path) -> None:
    root = backend_of_a_repository(tmp_path)
    implement_feature(root, BUDGET)  # Alembic's autogenerate ran with the repository's .env
    (revision,) = (root / "app/alembic/versions").glob("*budget*.py")
    assert "op.create_table" in revision.read_text(encoding="utf-8")


def test_a_setting_the_project_cannot_find_is_named_in_the_error(tmp_path: Path) -> None:
    root = backend_of_a_repository(tmp_path)
    (root.parent / ".env").unlink()
    before = snapshot(root)
    with pytest.raises(StepFailed) as failed:
        implement_feature(root, BUDGET)
    message = str(failed.value)
    assert "Alembic could not generate the migration" in message
    # Pydantic's own lines: which setting, and why; not only its closing link.
    assert "SECRET_KEY" in message and "Field required" in message, message
    assert snapshot(root) == before


@pytest.fixture
def users_own_database() -> Iterator[str]:
    """An empty database on the local server, standing for the user's development database."""
    import psycopg

    name = f"backsmith_users_own_{uuid.uuid4().hex[:8]}"
    server = make_url(POSTGRES).set(drivername="postgresql", database="postgres")
    dsn = server.render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables_in(database: str) -> list[str]:
    import psycopg

    url = make_url(POSTGRES).set(drivername="postgresql", database=database)
    with psycopg.connect(url.render_as_string(hide_password=False)) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return [row[0] for row in rows]


def settings_from_parts(tmp_path: Path, database: str) -> Path:
    """sqlmodel_layered whose settings build a PostgreSQL URL from `POSTGRES_*` parts
    naming `database`, and whose env.py takes that URL and ignores `sqlalchemy.url`, as
    the full-stack FastAPI template's does."""
    root = copy_of("sqlmodel_layered", tmp_path)
    server = make_url(POSTGRES)
    settings_code = f"""    POSTGRES_SERVER: str = "{server.host}"
    POSTGRES_PORT: int = {server.port or 5432}
    POSTGRES_USER: str = "{server.username}"
    POSTGRES_DB: str = "{database}"

    @property
    def SQLALCHEMY_DATABASE_URI(self) -> str:
        return (
            f"postgresql+psycopg://{{self.POSTGRES_USER}}@{{self.POSTGRES_SERVER}}:"
            f"{{self.POSTGRES_PORT}}/{{self.POSTGRES_DB}}"
        )
"""
    for path, old, new in (
        (
            "app/core/config.py",
            '    DATABASE_URL: str = "sqlite:///./tasklist.db"\n',
            settings_code,
        ),
        (
            "app/alembic/env.py",
            'return config.get_main_option("sqlalchemy.url") or settings.DATABASE_URL',
            "return settings.SQLALCHEMY_DATABASE_URI",
        ),
        (
            "app/core/db.py",
            "create_engine(settings.DATABASE_URL)",
            "create_engine(settings.SQLALCHEMY_DATABASE_URI)",
        ),
    ):
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, path
        (root / path).write_text(text.replace(old, new), encoding="utf-8")
    return root


def test_a_url_built_from_settings_parts_never_reaches_the_users_database(
    tmp_path: Path, users_own_database: str
) -> None:
    """env.py takes its URL from settings built of `POSTGRES_*` parts and ignores
    `sqlalchemy.url`, as the full-stack FastAPI template does: implement's autogenerate and
    the migrations gate still run on backsmith's scratch databases only."""
    root = settings_from_parts(tmp_path, users_own_database)
    server = make_url(POSTGRES)
    implement_feature(root, BUDGET)

    (revision,) = (root / "app/alembic/versions").glob("*budget*.py")
    assert "op.create_table" in revision.read_text(encoding="utf-8")
    assert _tables_in(users_own_database) == []
    # The server comes from the same parts in the project's .env, as its settings read
    # them; it runs on PostgreSQL only, so that is where its migrations are checked.
    (root / ".env").write_text(
        f"POSTGRES_SERVER={server.host}\nPOSTGRES_PORT={server.port or 5432}\n"
        f"POSTGRES_USER={server.username}\nPOSTGRES_DB={users_own_database}\n",
        encoding="utf-8",
    )
    report = run_gates(root, ["migrations"])
    migrations = report.result("migrations")
    assert migrations is not None
    assert migrations.status is Status.PASSED, migrations.failures
    assert migrations.figures["databases"] == "postgresql"
    assert _tables_in(users_own_database) == []


@pytest.mark.parametrize(
    ("name", "schemas"),
    [("async_layered", "app.schemas.gauges"), ("sqlmodel_layered", "app.models")],
)
def test_a_float_refuses_infinity_and_an_email_keeps_its_declared_length(
    name: str, schemas: str, tmp_path: Path
) -> None:
    """Each field's domain comes from the design stage, as in a new project: a float is
    finite (JSON cannot carry infinity back) and an email's own `min_length` holds. A
    number is a JSON number (pydantic's lax mode would take `true` and `"2"`), and a
    datetime is kept in UTC (SQLite stores no offset), refused where UTC has no such day."""
    root = copy_of(name, tmp_path)
    document = tmp_path / "gauges.yaml"
    document.write_text(
        "feature: gauges\nentities:\n  Gauge:\n    fields:\n"
        "      reading: {type: float, min: -50}\n"
        "      contact: {type: email, min_length: 8}\n"
        "      turns: int?\n"
        "      read_at: datetime?\n",
        encoding="utf-8",
    )
    implement_feature(root, document)
    probe = f"""
import pydantic
from {schemas} import GaugeCreate
good = {{"reading": 1.5, "contact": "ann@b.example"}}
for body in ({{"reading": float("inf"), "contact": "a@b.example"}},
             {{"reading": 1.5, "contact": "a@b.io"}},
             good,
             {{**good, "turns": True}},
             {{**good, "reading": "2.5"}},
             {{**good, "read_at": "2030-01-01T09:00:00+02:00"}},
             {{**good, "read_at": "0001-01-01T00:00:00+05:00"}}):
    try:
        made = GaugeCreate.model_validate(body)
        print("accepted", made.read_at.isoformat() if made.read_at else "")
    except pydantic.ValidationError as error:
        print("refused", error.errors()[0]["type"])
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:7] == [
        "refused finite_number",
        "refused string_too_short",
        "accepted ",
        "refused value_error",
        "refused value_error",
        "accepted 2030-01-01T07:00:00+00:00",
        "refused value_error",
    ]


def test_routes_in_a_project_without_dependency_aliases_take_the_functions_themselves(
    tmp_path: Path,
) -> None:
    """Many projects write `db: AsyncSession = Depends(get_session)` in each route instead
    of a `DbSession` alias: the generated routes then spell the Annotated type out, and
    the project's own suite, lint and types still pass."""
    root = copy_of("async_domain", tmp_path)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8")
        + '\n[tool.backsmith]\nsession_dependency = "app.database:get_session"\n'
        'current_user_dependency = "app.auth.dependencies:get_current_user"\n',
        encoding="utf-8",
    )

    implement_feature(root, BUDGET)

    router = (root / "app/budget/router.py").read_text(encoding="utf-8")
    assert "session: Annotated[AsyncSession, Depends(get_session)]" in router
    assert "user: Annotated[User, Depends(get_current_user)]" in router
    report = run_gates(root, ["tests", "lint", "types"])
    for gate in ("tests", "lint", "types"):
        result = report.result(gate)
        assert result is not None and result.status is Status.PASSED, (gate, result)


def test_migrations_on_postgresql_alone_without_a_server_are_skipped_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DATABASE_URL", "POSTGRES_SERVER", "POSTGRES_HOST"):
        monkeypatch.delenv(name, raising=False)
    root = settings_from_parts(tmp_path, "unused")

    migrations = run_gates(root, ["migrations"]).result("migrations")

    assert migrations is not None and migrations.status is Status.SKIPPED
    assert "runs on PostgreSQL (database_driver psycopg" in migrations.summary
    assert "--database-url" in migrations.summary


def test_a_sort_on_the_update_time_orders_by_each_rows_last_write(tmp_path: Path) -> None:
    """The tables backsmith adds keep no timestamps of the project's base: `created_at`
    orders by id (the order rows are made in); a sort on `updated_at` gives the table a
    column of its own that every write sets, and a generated test PATCHes the older row
    and finds it first. Without the update's stamp, that test fails."""
    root = copy_of("async_domain", tmp_path)
    document = tmp_path / "notes.yaml"
    document.write_text(
        "feature: notes\nentities:\n  Note:\n    fields: {text: str}\n"
        "    list:\n      sort: [-updated_at, -created_at]\n",
        encoding="utf-8",
    )
    result = implement_feature(root, document)
    tests = root / "tests/notes/test_router.py"
    assert "def test_notes_sort_newest_write_first(" in tests.read_text(encoding="utf-8")
    report = run_gates(root, ["tests", "lint", "types", "migrations"])
    for gate in ("tests", "lint", "types", "migrations"):
        gate_result = report.result(gate)
        assert gate_result is not None and gate_result.status is Status.PASSED, (gate, gate_result)
    assert any("/versions/" in path for path in result.written)

    service = root / "app/notes/service.py"
    code = service.read_text(encoding="utf-8")
    stamp = "note.updated_at = datetime.now(UTC)"
    assert code.count(stamp) == 1  # the update's: no restore or action here
    service.write_text(code.replace(stamp, "pass"), encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "newest"]
    suite = subprocess.run(
        [*command, str(tests)], cwd=root, capture_output=True, text=True, check=False
    )
    assert suite.returncode == 1, suite.stdout[-3000:]
