"""Shapes the random-document soak found broken (bench/results/soak-2026-12-02.md), each
checked where its mistake was made: the rendered code, or the test plan's decision."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ruff.__main__ import find_ruff_bin

from backsmith.project.profile import load_profile
from backsmith.spec import load_feature
from backsmith.stacks.fastapi_sqlalchemy.blueprint import render_feature
from backsmith.stacks.fastapi_sqlalchemy.context import build_context
from backsmith.stacks.fastapi_sqlalchemy.testplan import EntityTestPlan, build_test_plan
from backsmith.stacks.house.context import build_house_feature
from backsmith.stacks.house.style import read_house_style

UUID_ACTION = """\
feature: shop
entities:
  Project:
    fields:
      ref: uuid
    actions:
      flag:
        set: {ref: "f68c9c17-1873-dc41-a987-786c7eca6224"}
"""
GUARDED_ON_PUBLIC_CREATE = """\
feature: shop
entities:
  Thing:
    fields:
      name: str
      tag: {type: str, required: false, access: {write: authenticated}}
    access: {create: public}
"""


def _plans(tmp_path: Path, text: str) -> dict[str, EntityTestPlan]:
    """The test plans of a document's entities, by entity name."""
    feature = build_test_plan(build_context(load_feature(_document(tmp_path, text))))
    return {plan.entity.name: plan for plan in feature.entities}


def _only_plan(tmp_path: Path, text: str) -> EntityTestPlan:
    """The test plan of a document's one entity."""
    (plan,) = _plans(tmp_path, text).values()
    return plan


def _document(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feature.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_action_that_sets_a_uuid_names_only_what_it_imports(tmp_path: Path) -> None:
    files = render_feature(load_feature(_document(tmp_path, UUID_ACTION)))
    for path, text in files.items():
        if path.endswith(".py"):
            (tmp_path / "out" / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "out" / path).write_text(text, encoding="utf-8")
    # F821: an undefined name is a NameError when the action runs (a 500).
    checked = subprocess.run(
        [find_ruff_bin(), "check", "--isolated", "--select", "F821", "."],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def test_a_caller_without_a_token_leaves_out_what_only_signed_in_users_may_set(
    tmp_path: Path,
) -> None:
    plan = _only_plan(tmp_path, GUARDED_ON_PUBLIC_CREATE)
    assert plan.anonymous["create"] == 201
    assert plan.unset_by_anonymous == ["tag"]
    assert plan.unset_by_stranger == []


NON_POSITIVE_UNIQUE = """\
feature: shop
entities:
  Thing:
    fields:
      title: int unique
    checks:
      - {rule: title <= 0, message: Title must not be positive.}
"""


def test_a_check_below_the_natural_numbers_still_gets_distinct_test_data(
    tmp_path: Path,
) -> None:
    """The samples climb from 1: a unique number checked `<= 0` takes their mirror images."""
    plan = _only_plan(tmp_path, NON_POSITIVE_UNIQUE)
    titles = [row["title"] for row in plan.samples]
    assert all(title <= 0 for title in titles)
    assert len(set(titles)) == len(titles) > 1


READ_ONLY_UNIQUE = """\
feature: shop
entities:
  Project:
    fields:
      name: str
      code: {type: str, required: false, unique: true, read_only: true}
      slug: {type: str, unique: true}
    list:
      search: [code, name]
"""


def test_uniqueness_and_search_no_client_can_reach_are_not_tested_through_the_api(
    tmp_path: Path,
) -> None:
    """No request sets a read_only value: its uniqueness and its search have nothing to
    send, so the tests exercise only what a client can repeat or look for."""
    plan = _only_plan(tmp_path, READ_ONLY_UNIQUE)
    assert plan.unique_fields == ["slug"]
    assert plan.search == ["name"]
    assert plan.unique_copied == ["slug"]


SELF_ONE_TO_ONE = """\
feature: shop
entities:
  Node:
    soft_delete: true
    fields: {name: str}
    relations:
      parent: {to: Node, kind: one_to_one, required: false}
    list:
      filter: [parent]
"""


def test_a_filtered_self_one_to_one_gets_a_parent_per_row_and_no_copied_duplicate(
    tmp_path: Path,
) -> None:
    """The factory leaves a self link empty (it would loop): the filter test links each
    row to a parent of its own (a one_to_one refuses a shared one), and the soft-delete
    test has no payload value of the link to copy."""
    plan = _only_plan(tmp_path, SELF_ONE_TO_ONE)
    assert plan.unfilled_links == {"parent_id": ("node", plan.rows(3))}
    assert plan.unique_copied == []


def test_a_house_filter_on_an_int_field_is_bounded_to_its_column(tmp_path: Path) -> None:
    """An unbounded integer filter reached PostgreSQL as an out-of-range int (a 500)."""
    document = _document(
        tmp_path,
        """\
feature: stock
entities:
  Item:
    fields: {count: int, serial: bigint, name: str}
    list: {filter: [count, serial, name]}
""",
    )
    fixture = Path(__file__).parents[1] / "fixtures" / "projects" / "async_layered"
    style = read_house_style(load_profile(fixture), "stock")
    (item,) = build_house_feature(load_feature(document), style).entities
    annotations = {f.param: f.annotation for f in item.filters}
    assert annotations["count"] == f"Annotated[int | None, Query(ge={-(2**31)}, le={2**31 - 1})]"
    assert annotations["serial__lte"] == (
        f"Annotated[int | None, Query(ge={-(2**63)}, le={2**63 - 1})]"
    )
    assert "ge=" not in annotations["name"]


def test_a_filter_on_a_value_no_request_sets_is_left_to_the_fuzzer(tmp_path: Path) -> None:
    """A read_only field is null on every row a test makes: its filter tests (own and
    through a parent) had only None to send."""
    plan = _only_plan(
        tmp_path,
        """\
feature: crm
entities:
  Author:
    fields:
      name: str
      score: {type: decimal, required: false, read_only: true}
    relations:
      mentor: {to: Author, required: false}
    list:
      filter: [score, name, mentor.score, mentor.name]
""",
    )
    assert {member for _, member, _ in plan.filterable} == {"name"}
    assert {f[3] for f in plan.parent_filters} <= {"name"}


def test_the_two_rows_who_may_call_an_action_take_apart_unique_values(tmp_path: Path) -> None:
    """The guard holds only for some values, and the test made two rows with the same ones:
    a 409 where the pair of values is unique."""
    plan = _only_plan(
        tmp_path,
        """\
feature: tasks
entities:
  Visit:
    owned: true
    fields:
      level: bigint(1..1000000)? unique
      note: {type: text, write_only: true}
    actions:
      reopen:
        set: {note: "yes"}
        when: level is null or level <= 500000
    unique: [[note, level]]
""",
    )
    (case,) = plan.action_cases
    assert case.again is not None
    for row in (case.ready, case.again):  # the guard holds for both rows
        assert row["level"] is None or row["level"] <= 500000
    assert case.ready["level"] is None or case.ready["level"] != case.again["level"]


def test_transition_tests_use_only_states_the_checks_let_a_row_hold(tmp_path: Path) -> None:
    """`archived` breaks a check: no row holds it, and a move into it is the check's 422,
    so neither is a transition test; the check's PATCH test was a move no state allows."""
    plan = _only_plan(
        tmp_path,
        """\
feature: media
entities:
  Shot:
    fields:
      kind: {type: enum, values: [archived, draft, live]}
    checks:
      - {rule: kind != "archived", message: Archived shots are not kept.}
    transitions:
      kind: {archived: [], draft: [], live: archived}
""",
    )
    (moves,) = plan.transition_cases
    assert sorted(pair[:3] for pair in moves.pairs) == [
        ("draft", "archived", False),
        ("draft", "live", False),
        ("live", "draft", False),
    ]
    (check,) = plan.check_cases
    stored = plan.samples[1 % len(plan.samples)]["kind"]
    assert check.on_update is None or stored == "live"  # only live may become archived


def test_a_transition_test_sets_what_the_checks_need_before_and_after(tmp_path: Path) -> None:
    plan = _only_plan(
        tmp_path,
        """\
feature: media
entities:
  Shot:
    fields:
      kind: {type: enum, values: [archived, draft, live]}
      frames: int(1..100)
    checks:
      - {rule: kind != "archived" or frames < 10, message: Archived shots are short.}
      - {rule: kind != "live" or frames > 1, message: A live shot has frames.}
    transitions:
      kind: {archived: [], draft: [], live: archived}
""",
    )
    (moves,) = plan.transition_cases
    tried = {(start, end): (allowed, fixed) for start, end, allowed, fixed in moves.pairs}
    states = ("archived", "draft", "live")
    assert set(tried) == {(a, b) for a in states for b in states if a != b}
    allowed, fixed = tried["live", "archived"]
    assert allowed and 1 < fixed["frames"] < 10  # meets both checks, before and after
    assert tried["archived", "live"][1]["frames"] < 10  # a refused move: before only


def test_an_immutable_field_with_a_write_rule_is_tried_on_create_only(tmp_path: Path) -> None:
    """No update body carries an immutable field: sending one is a 422 for every caller,
    and the test expected its write rule's 403."""
    plan = _only_plan(
        tmp_path,
        """\
feature: books
roles: [clerk]
entities:
  Ledger:
    fields:
      name: str
      serial: {type: bigint, required: false, immutable: true, access: {write: "role:clerk"}}
      note: {type: str, required: false, access: {write: "role:clerk"}}
""",
    )
    cases = {case.name: case for case in plan.field_writes}
    assert cases["serial"].creator is not None and cases["serial"].updater is None
    assert cases["note"].updater is not None  # a field that may change keeps its case


def test_text_gets_a_nul_where_its_own_pattern_still_matches(tmp_path: Path) -> None:
    """PostgreSQL cannot store NUL: every text field refuses it, also one whose pattern
    (here unanchored) takes the place of the NUL rule; an anchored pattern refuses it alone."""
    plan = _only_plan(
        tmp_path,
        """\
feature: labels
entities:
  Label:
    fields:
      code: {type: str, pattern: "[0-9]"}
      plain: str
      hex: {type: str, pattern: "^#[0-9a-f]{6}$"}
""",
    )
    nul = {b.field: b.value for b in plan.boundaries if "\x00" in str(b.value)}
    assert set(nul) == {"code", "plain"}
    assert all(not b.valid for b in plan.boundaries if b.field in nul and "\x00" in b.value)
    assert re.search("[0-9]", nul["code"])  # the pattern alone would let it through


def test_two_rows_of_one_owner_take_apart_a_value_unique_per_owner(tmp_path: Path) -> None:
    """Both rows who_may_<action> makes belong to one user: a key over the owner and a
    value the action's readiness fixes is decided by that value alone."""
    plan = _only_plan(
        tmp_path,
        """\
feature: crm
entities:
  Invoice:
    owned: true
    fields:
      hqe: int(-2147483648..100)
    actions:
      publish:
        set: {hqe: -160}
    unique: [[hqe, owner]]
""",
    )
    (case,) = plan.action_cases
    assert case.again is not None and case.again["hqe"] != case.ready["hqe"]


def test_a_unique_number_checked_past_a_constant_gets_distinct_rows_there(tmp_path: Path) -> None:
    """`body <= -48`: neither the natural sequence (0, 1, ...) nor its mirror reaches it, and
    `new` refused a document that is fine."""
    plan = _only_plan(
        tmp_path,
        """\
feature: ledger
entities:
  Entry:
    fields:
      body: {type: bigint, unique: true, max: 5, example: 0}
    checks:
      - {rule: body <= -48, message: Too high.}
""",
    )
    values = [row["body"] for row in plan.samples]
    assert len(values) == len(set(values)) >= 10
    assert all(value <= -48 for value in values)


def test_an_optional_link_back_to_a_required_parent_is_not_filled(tmp_path: Path) -> None:
    """Box, declared first, optionally points at a Crate, which requires a Box: filling
    both made each factory call the other until the recursion limit."""
    plans = _plans(
        tmp_path,
        """\
feature: store
entities:
  Box:
    fields: {name: str}
    relations:
      backup_crate: {to: Crate, kind: one_to_one, required: false}
  Crate:
    fields: {name: str}
    relations:
      main_box: Box
""",
    )
    assert plans["Crate"].filled_relations == ["main_box_id"]
    assert plans["Box"].filled_relations == []


def test_a_uniqueness_test_fills_a_null_member_with_a_value_the_checks_allow(
    tmp_path: Path,
) -> None:
    plan = _only_plan(
        tmp_path,
        """\
feature: notes
entities:
  Note:
    fields:
      phone: email(3..200) unique
      total: {type: bigint, required: false, immutable: true}
    checks:
      - {rule: total is null or total <= 0, message: Not positive.}
    unique: [[phone, total]]
""",
    )
    assert all(row["total"] is None for row in plan.samples)  # nulls never collide
    filled = plan.non_null(["phone", "total"])
    assert filled["total"] <= 0  # 1 broke the check: a 422, not the 409 tested for


def test_a_hidden_field_test_expects_null_summaries_of_parents_the_caller_may_not_read(
    tmp_path: Path,
) -> None:
    plans = _plans(
        tmp_path,
        """\
feature: shop
roles: [editor]
entities:
  Visit:
    owned: true
    fields: {email: "email?"}
  Order:
    owned: true
    fields:
      amount: {type: int, required: false, access: {read: [owner, "role:editor"]}}
    relations:
      visit: {to: Visit, embed: [email]}
    access:
      read: authenticated
""",
    )
    (case,) = plans["Order"].field_reads
    assert case.hider.caller.roles == ()  # a user without roles, on the actor's row
    assert case.unseen_embeds == ("visit",)  # Visit rows are their owners' to read


def test_samples_past_a_constant_take_distinct_unique_values(tmp_path: Path) -> None:
    """The lowest bigint meets `price <= -4611686018427387854`, and every sample took it:
    one distinct row, so a test making two got a 409."""
    plan = _only_plan(
        tmp_path,
        """\
feature: events
entities:
  Invoice:
    fields:
      price: {type: bigint, unique: true, min: -9223372036854775808}
    checks:
      - {rule: price <= -4611686018427387854, message: Too high.}
""",
    )
    prices = [row["price"] for row in plan.samples]
    assert len(prices) == len(set(prices)) >= 10
    assert all(price <= -4611686018427387854 for price in prices)


def test_a_deleted_row_frees_only_values_a_copy_can_collide_on(tmp_path: Path) -> None:
    """The key is (due_on, primary) and the factory leaves the self link empty: a copy of
    due_on alone never collides, and the restore the test expected to be a 409 was a 200."""
    plan = _only_plan(
        tmp_path,
        """\
feature: library
entities:
  Book:
    soft_delete: true
    fields:
      due_on: {type: date, default: 2024-02-29}
    relations:
      primary: {to: Book, kind: one_to_one, required: false}
    unique: [[due_on, primary]]
""",
    )
    assert "primary_id" not in plan.filled_relations
    assert plan.unique_copied == []


def test_two_rows_for_an_action_differ_beside_a_read_only_default(tmp_path: Path) -> None:
    """The key is (contact, wnk): contact no request sets (its default on every row), wnk
    the action stamps and its ready row fixes, so both rows collided."""
    plan = _only_plan(
        tmp_path,
        """\
feature: library
entities:
  Visit:
    fields:
      contact: {type: datetime, default: "2024-01-01T00:00:00+02:00", read_only: true}
      wnk: datetime = '2024-05-31T09:30:00Z'
    actions:
      archive:
        set: {contact: now, wnk: now}
    unique: [[contact, wnk]]
""",
    )
    (case,) = plan.action_cases
    assert case.again is not None and case.again["wnk"] != case.ready["wnk"]


def test_a_unique_field_left_null_by_its_samples_is_tested_with_a_value(tmp_path: Path) -> None:
    """`code is null or code <= 0` is met by null first: the uniqueness test copied a null,
    which never collides, and its second row was a 201."""
    plan = _only_plan(
        tmp_path,
        """\
feature: shop
entities:
  Jtuok:
    fields:
      code: {type: bigint, required: false, unique: true}
    checks:
      - {rule: code is null or code <= 0, message: Not positive.}
""",
    )
    assert plan.samples[0]["code"] is None
    value = plan.non_null(["code"])["code"]
    assert value is not None and value <= 0
    assert value not in [row["code"] for row in plan.samples]  # no later row collides


def test_a_caller_hidden_two_fields_is_expected_to_see_neither(tmp_path: Path) -> None:
    """Soak seed 9, document 32: the anonymous caller may read neither guarded field, and
    the test for one expected to see the other."""
    plans = _plans(
        tmp_path,
        """\
feature: shop
roles: [clerk]
entities:
  Tally:
    fields:
      title: str
      score: {type: float, required: false, access: {read: ["role:clerk"]}}
      link: {type: url, required: false, access: {read: ["role:clerk", authenticated]}}
    access:
      read: public
""",
    )
    hidden = {case.name: case.hidden for case in plans["Tally"].field_reads}
    assert hidden == {"score": ("score", "link"), "link": ("link", "score")}


def test_a_duplicate_of_one_unique_value_meets_the_checks_that_read_it(tmp_path: Path) -> None:
    plan = _only_plan(
        tmp_path,
        """\
feature: slots
entities:
  Slot:
    fields:
      opens: {type: datetime, required: false, unique: true}
      closes: {type: datetime, required: false, unique: true}
    checks:
      - {rule: closes is null or closes >= opens, message: Closes before it opens.}
""",
    )
    first = plan.samples[0]
    # The next sample opens after the first closes: a copy of `closes` over it alone
    # breaks the check (a 422, where the test wants the 409 of `closes`).
    assert plan.samples[1]["opens"] > first["closes"]
    for turn, patched in ((1, False), (2, True)):  # the duplicate POSTed, then PATCHed
        beside = plan.beside_copies(["closes"], {}, turn, patched=patched)
        duplicate = {**plan.samples[turn], "closes": first["closes"], **beside}
        assert duplicate["opens"] is None or duplicate["opens"] <= first["closes"]
        assert duplicate["opens"] != first["opens"]  # not also a duplicate of `opens`
    # A copy of `opens` keeps the next sample's later `closes`: nothing to add.
    assert plan.beside_copies(["opens"], {}, 1) == {}
