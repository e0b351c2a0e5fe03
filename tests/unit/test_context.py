"""The blueprint's decisions: column and schema types, access matrices, test data links."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from backsmith.spec import load_feature
from backsmith.spec.model import CustomAction
from backsmith.stacks.fastapi_sqlalchemy.context import FeatureContext, build_context
from backsmith.stacks.fastapi_sqlalchemy.testplan import build_test_plan
from backsmith.stacks.house.context import _action_summary

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clinic() -> FeatureContext:
    return build_context(load_feature(REPO / "examples" / "clinic.md"))


def _spec(tmp_path: Path, body: str) -> FeatureContext:
    document = tmp_path / "feature.yaml"
    document.write_text(body)
    return build_context(load_feature(document))


def test_constraints_become_pydantic_and_column_types(clinic: FeatureContext) -> None:
    doctor, appointment = clinic.entities[0], clinic.entities[1]
    fields = {f.name: f for f in doctor.fields}
    assert fields["name"].schema_type == (
        "Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]"
    )
    assert fields["name"].column == "mapped_column(String(100))"
    assert "max_digits=8" in fields["fee"].schema_type
    assert "decimal_places=2" in fields["fee"].schema_type
    assert fields["fee"].column.startswith("mapped_column(Numeric(8, 2)")
    assert fields["license_no"].column == "mapped_column(String(), unique=True)"
    minutes = {f.name: f for f in appointment.fields}["minutes"]
    assert minutes.create_line == "minutes: Annotated[JsonInt, Field(ge=10, le=240)] = 30"
    assert minutes.update_line is not None and "default_factory=omitted" in minutes.update_line


def test_unbounded_integers_keep_to_their_column(tmp_path: Path) -> None:
    feature = _spec(
        tmp_path,
        "feature: t\nentities:\n  Thing:\n    fields:\n      small: int\n      big: bigint\n",
    )
    small, big = feature.entities[0].fields
    assert small.schema_type == "Annotated[JsonInt, Field(ge=-2147483648, le=2147483647)]"
    assert "le=9223372036854775807" in big.schema_type


def test_relations_become_foreign_keys_with_their_delete_rule(clinic: FeatureContext) -> None:
    appointment = clinic.entities[1]
    (doctor,) = appointment.relations
    assert doctor.mapped_column == (
        'mapped_column(ForeignKey("doctors.id", ondelete="RESTRICT"), index=True)'
    )
    children = {(c.entity, c.on_delete.value) for c in clinic.entities[0].children}
    assert children == {("Appointment", "restrict")}


def test_list_filters_follow_the_field_type(clinic: FeatureContext) -> None:
    appointment = clinic.entities[1]
    params = [f.param for f in appointment.filters]
    assert params == [
        "status",
        "status__in",
        "doctor_id",
        "starts_at",
        "starts_at__gte",
        "starts_at__lte",
    ]
    status_in = appointment.filters[1]
    assert "^(scheduled|done|cancelled)(,(scheduled|done|cancelled))*$" in status_in.annotation
    assert appointment.sort_keys()[:2] == ["starts_at", "-starts_at"]
    assert appointment.default_sort == "starts_at"


def test_the_actor_has_one_role_per_rule_a_plain_user_fails(clinic: FeatureContext) -> None:
    assert build_test_plan(clinic).actor_roles == ["admin", "doctor"]


def test_access_matrices_follow_the_rules(clinic: FeatureContext) -> None:
    doctor, appointment, note = build_test_plan(clinic).entities
    assert doctor.anonymous == {
        "list": 200,
        "create": 401,
        "read": 200,
        "update": 401,
        "delete": 401,
    }
    assert doctor.stranger == {
        "list": 200,
        "create": 403,
        "read": 200,
        "update": 403,
        "delete": 403,
    }
    # Owned rows of someone else do not exist for a stranger; the doctor they point at
    # is public, so the stranger may book one.
    assert appointment.stranger == {
        "list": 200,
        "create": 201,
        "read": 404,
        "update": 404,
        "delete": 404,
    }
    assert appointment.stranger_lists_all is False
    assert note.stranger["create"] == 403


def test_factories_fill_optional_links_unless_they_close_a_cycle(tmp_path: Path) -> None:
    feature = _spec(
        tmp_path,
        """
feature: forum
entities:
  Topic:
    fields: {title: str(1..50)}
    relations:
      parent: Topic?
  Post:
    fields: {body: text}
    relations:
      topic: Topic
      reply_to: Post?
      pinned_in: Topic?
""",
    )
    topic, post = build_test_plan(feature).entities
    assert topic.filled_relations == []
    assert post.filled_relations == ["topic_id", "pinned_in_id"]


def test_a_many_to_many_gets_a_table_ids_and_a_page_sized_to_its_samples(tmp_path: Path) -> None:
    feature = _spec(
        tmp_path,
        "feature: wiki\nentities:\n  Tag:\n    fields: {name: str}\n  Article:\n"
        "    fields: {slug: str unique}\n    relations:\n"
        "      tag: {to: Tag, kind: many_to_many}\n"
        "      see_also: {to: Article, kind: many_to_many}\n",
    )
    article = feature.entities[1]
    tag, see_also = article.links
    assert (tag.table, tag.owner_column, tag.target_column) == (
        "article_tags",
        "article_id",
        "tag_id",
    )
    assert (tag.ids, tag.collection, tag.self_reference) == ("tag_ids", "tags", False)
    assert tag.create_line == "tag_ids: LinkIds = Field(default_factory=list)"
    assert "default_factory=omitted" in tag.update_line
    assert (see_also.table, see_also.target_column, see_also.self_reference) == (
        "article_see_alsos",
        "see_also_id",
        True,
    )
    # `slug` is unique: a test can make only as many distinct articles as there are samples,
    # and two of them are the targets when an article links to articles.
    checks = {check.ids: check for check in build_test_plan(feature).entities[1].links}
    assert (checks["tag_ids"].small_page, checks["tag_ids"].large_page) == (2, 12)
    assert (checks["see_also_ids"].small_page, checks["see_also_ids"].large_page) == (2, 10)
    assert feature.any_links and not feature.entities[0].links
    # Anyone signed in reads tags and articles: no caller is refused another's target.
    assert checks["tag_ids"].outsider is None


def test_a_many_to_many_to_owned_rows_is_tested_with_a_caller_who_reads_only_theirs(
    tmp_path: Path,
) -> None:
    document = """\
feature: kit
roles: [auditor]
entities:
  Part:
    owned: true
    fields: {name: str}
    access: {read: [owner, "role:auditor"]}
  Build:
    fields: {name: str}
    relations:
      part: {to: Part, kind: many_to_many}
"""
    feature = _spec(tmp_path, document)
    (check,) = build_test_plan(feature).entities[1].links
    # The simplest caller who may create a build but reads only their own parts.
    assert check.outsider is not None and check.outsider.roles == ()


def test_a_stranger_cannot_create_under_an_optional_parent_they_cannot_read(
    tmp_path: Path,
) -> None:
    """The factory fills optional links too: with another user's owned topic, a stranger's
    create is refused on the link (422), whatever the rule for creating notes says."""
    context = _spec(
        tmp_path,
        """\
        feature: notes
        entities:
          Topic:
            owned: true
            fields: {title: str}
          Note:
            fields: {body: str}
            relations:
              topic: Topic?
            access: {create: authenticated}
        """,
    )
    plans = {plan.entity.name: plan for plan in build_test_plan(context).entities}
    assert plans["Note"].filled_relations == ["topic_id"]
    assert plans["Note"].stranger["create"] == 422
    assert plans["Note"].anonymous["create"] == 401  # the create rule answers first


STAFF = """\
feature: staff
roles: [hr, manager]
entities:
  Employee:
    owned: true
    fields:
      name: str
      salary: {{type: int, required: false, access: {salary}}}
    access: {access}
"""


@pytest.mark.parametrize(
    ("salary", "access", "hider"),
    [
        # Admins read every row (the default), but only hr sees the salary.
        ('{read: "role:hr"}', "{}", "a user with role admin"),
        # Only owners read rows, and only hr sees the salary: the owner does not.
        (
            '{read: "role:hr"}',
            "{list: owner, read: owner}",
            "the owner, a user without roles,",
        ),
        # Managers read every row; the owner and hr see the salary.
        (
            '{read: [owner, "role:hr"]}',
            '{read: ["role:manager", owner], list: ["role:manager", owner]}',
            "a user with role manager",
        ),
        # Anyone signed in reads the row; hr and admins see the salary.
        ('{read: ["role:hr", "role:admin"]}', "{read: authenticated}", "a user without roles"),
    ],
)
def test_a_field_read_rule_is_tested_with_the_simplest_caller_it_hides_from(
    tmp_path: Path, salary: str, access: str, hider: str
) -> None:
    plan = build_test_plan(_spec(tmp_path, STAFF.format(salary=salary, access=access)))
    (case,) = plan.entities[0].field_reads
    assert (case.name, case.hider.label) == ("salary", hider)
    # The actor sees every field: hr, unless owning the row suffices.
    assert ("hr" in plan.actor_roles) is ("owner" not in salary)


def test_no_field_read_case_when_everyone_who_reads_the_row_sees_the_field(
    tmp_path: Path,
) -> None:
    document = STAFF.format(salary='{read: [owner, "role:admin"]}', access="{}")
    assert build_test_plan(_spec(tmp_path, document)).entities[0].field_reads == []


def test_a_field_write_rule_is_tested_on_create_and_on_update(tmp_path: Path) -> None:
    document = STAFF.format(
        salary='{write: "role:hr"}',
        access='{read: [owner, "role:manager"], update: [owner, "role:manager"]}',
    )
    plan = build_test_plan(_spec(tmp_path, document)).entities[0]
    (case,) = plan.field_writes
    assert case.creator is not None and case.creator.label == "a user without roles"
    # A manager may change other users' rows, but not their salary.
    assert case.updater is not None and case.updater.label == "a user with role manager"
    assert plan.unset_by_stranger == ["salary"]


def test_an_owner_write_grant_lets_the_creator_set_the_field(tmp_path: Path) -> None:
    document = STAFF.format(salary='{write: [owner, "role:hr"]}', access="{}")
    plan = build_test_plan(_spec(tmp_path, document)).entities[0]
    assert plan.unset_by_stranger == []
    (case,) = plan.field_writes
    # Owners may set it, so only an update of someone else's row is refused: an admin's.
    assert case.creator is None
    assert case.updater is not None and case.updater.label == "a user with role admin"


EMBEDS = """\
feature: clinic
entities:
  Doctor:
    owned: true
    fields: {name: str unique, room: int, ward: str}
    checks:
      - rule: room >= 0
        message: no negative rooms
    access: {list: owner, read: owner}
  Nurse:
    fields: {name: str}
  Visit:
    fields: {day: date}
    relations:
      doctor: {to: Doctor, embed: [name, room, ward]}
      referrer: {to: Doctor, required: false, embed: [name]}
      nurse: {to: Nurse, kind: one_to_one, embed: [name]}
      follows: {to: Visit, required: false, embed: [day]}
    access: {read: authenticated}
"""


def test_an_embedded_parent_gets_a_summary_and_its_checks(tmp_path: Path) -> None:
    feature = _spec(tmp_path, EMBEDS)
    doctor, nurse, visit = feature.entities
    assert (doctor.shown_in_summaries, nurse.shown_in_summaries) == (True, True)
    assert visit.shown_in_summaries  # `follows` points at another visit
    summaries = {e.name: (e.schema, [f.name for f in e.fields]) for e in visit.embeds}
    assert summaries == {
        "doctor": ("VisitDoctorSummary", ["name", "room", "ward"]),
        "referrer": ("VisitReferrerSummary", ["name"]),
        "nurse": ("VisitNurseSummary", ["name"]),
        "follows": ("VisitFollowsSummary", ["day"]),
    }
    assert [e.self_reference for e in visit.embeds] == [False, False, False, True]
    assert "".join(visit.embeds[0].description_lines).startswith("The Doctor that doctor_id")

    plan = next(p for p in build_test_plan(feature).entities if p.entity.name == "Visit")
    checks = {c.name: c for c in plan.embeds}
    # Neither unique (`name`) nor checked (`room`): `ward` is the field a test may change.
    assert checks["doctor"].changed_field == "ward"
    assert checks["doctor"].fields == ("id", "name", "room", "ward")
    assert checks["referrer"].changed_field is None
    # A stranger reads the visit, but only the owner reads a doctor; anyone a nurse.
    assert checks["doctor"].stranger_sees_it is False
    assert checks["nurse"].stranger_sees_it is True
    assert checks["doctor"].anonymous_sees_it is None  # the visit is not public
    # Two filled relations share Doctor's distinct samples; a one_to_one's parents cannot
    # be shared, nor can a self-reference's (not made by the factory).
    assert (checks["doctor"].pool, checks["referrer"].pool) == (6, 6)
    assert (checks["nurse"].pool, checks["follows"].pool) == (0, 0)
    assert "doctor_id" not in plan.shared_parents and "referrer_id" not in plan.shared_parents


def test_a_document_without_embed_shows_no_summary(clinic: FeatureContext) -> None:
    assert not clinic.any_embeds
    assert all(not e.embeds and not e.shown_in_summaries for e in clinic.entities)


def test_an_existing_projects_action_docstring_spells_values_as_the_document_does() -> None:
    """Numbers, decimals, uuids, dates, booleans and nulls each as a reader of the document
    wrote them, never as Python's repr (`Decimal('2.50')`); only the names where the
    values would not fit on a docstring's line."""
    short = CustomAction(
        name="pay", values={"amount": Decimal("2.50")}, stamped=("paid_at",), access=()
    )
    assert _action_summary(short) == "Pay: sets amount=2.50, paid_at=now."
    flags = CustomAction(
        name="flag", values={"done": True, "note": None, "on": date(2024, 1, 2)}, access=()
    )
    assert _action_summary(flags) == 'Flag: sets done=true, note=null, on="2024-01-02".'
    many = CustomAction(
        name="settle",
        values={"ref": uuid.UUID(int=1), "amount": Decimal("2.50"), "done": True},
        access=(),
    )
    assert _action_summary(many) == "Settle: sets ref, amount, done."
